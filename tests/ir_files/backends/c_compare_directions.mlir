// emit-c: each comparison direction is the matching C operator on the loaded values (NaN
// makes all but NE false, as in C); i1 results are stored as 0/1 uint8_t.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<8xf32>, %y: tensor<8xf32>) -> (tensor<8xi1>, tensor<8xi1>, tensor<8xi1>, tensor<8xi1>, tensor<8xi1>, tensor<8xi1>) {
  %0 = furcate.compare %x, %y {comparison_direction = "EQ"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xi1>
  %1 = furcate.compare %x, %y {comparison_direction = "NE"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xi1>
  %2 = furcate.compare %x, %y {comparison_direction = "LT"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xi1>
  %3 = furcate.compare %x, %y {comparison_direction = "LE"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xi1>
  %4 = furcate.compare %x, %y {comparison_direction = "GT"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xi1>
  %5 = furcate.compare %x, %y {comparison_direction = "GE"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xi1>
  func.return %0, %1, %2, %3, %4, %5 : tensor<8xi1>, tensor<8xi1>, tensor<8xi1>, tensor<8xi1>, tensor<8xi1>, tensor<8xi1>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, uint8_t * restrict b2) {
// CHECK:          const int t2 = (t0 == t1);
// CHECK-NEXT:     b2[i0] = (uint8_t)((t2) != 0);
// CHECK:      static void fc_main_0_k1(
// CHECK:          const int t2 = (t0 != t1);
// CHECK:      static void fc_main_0_k2(
// CHECK:          const int t2 = (t0 < t1);
// CHECK:      static void fc_main_0_k3(
// CHECK:          const int t2 = (t0 <= t1);
// CHECK:      static void fc_main_0_k4(
// CHECK:          const int t2 = (t0 > t1);
// CHECK:      static void fc_main_0_k5(
// CHECK:          const int t2 = (t0 >= t1);
// CHECK:      void fc_main_0(void **p) {
// CHECK:        fc_main_0_k5((const float *)p[0], (const float *)p[1], (uint8_t *)p[7]);
