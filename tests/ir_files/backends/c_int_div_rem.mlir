// emit-c: integer div and rem call the prelude's safe helpers (fc_div_i32 / fc_rem_i32:
// x/0 = -1, x%0 = x, INT_MIN/-1 = INT_MIN without trapping), never a raw C '/' or '%'.
// Two results from the same inputs give two kernels in one segment.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x8xi32>, %y: tensor<4x8xi32>) -> (tensor<4x8xi32>, tensor<4x8xi32>) {
  %a = furcate.div %x, %y : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi32>
  %b = furcate.rem %x, %y : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi32>
  func.return %a, %b : tensor<4x8xi32>, tensor<4x8xi32>
}
// CHECK:      // segment fc_main_0
// CHECK:      static void fc_main_0_k0(const int32_t * restrict b0, const int32_t * restrict b1, int32_t * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 32; i0++) {
// CHECK-NOT:    (t0 / t1)
// CHECK:          const int32_t t2 = fc_div_i32(t0, t1);
// CHECK-NEXT:     b2[i0] = t2;
// CHECK:      static void fc_main_0_k1(const int32_t * restrict b0, const int32_t * restrict b1, int32_t * restrict b2) {
// CHECK-NOT:    (t0 % t1)
// CHECK:          const int32_t t2 = fc_rem_i32(t0, t1);
// CHECK:      void fc_main_0(void **p) {
// CHECK-NEXT:   char *ws = (char *)p[4];
// CHECK-NEXT:   fc_main_0_k0((const int32_t *)p[0], (const int32_t *)p[1], (int32_t *)p[2]);
// CHECK-NEXT:   fc_main_0_k1((const int32_t *)p[0], (const int32_t *)p[1], (int32_t *)p[3]);
// CHECK-NOT:  // segment
