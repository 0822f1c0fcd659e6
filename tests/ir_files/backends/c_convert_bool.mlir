// emit-c: number->i1 is '!= 0' (stored as a 0/1 uint8_t) and i1->number is 0/1; the f32
// round trip recomputes the mask from x in its own kernel instead of reading the i1 buffer.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<16xf32>) -> (tensor<16xi1>, tensor<16xf32>) {
  %c = furcate.convert %x : (tensor<16xf32>) -> tensor<16xi1>
  %k = furcate.convert %c : (tensor<16xi1>) -> tensor<16xf32>
  func.return %c, %k : tensor<16xi1>, tensor<16xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, uint8_t * restrict b1) {
// CHECK:          const int t1 = (t0 != 0);
// CHECK-NEXT:     b1[i0] = (uint8_t)((t1) != 0);
// CHECK:      static void fc_main_0_k1(const float * restrict b0, float * restrict b1) {
// CHECK:          const int t1 = (t0 != 0);
// CHECK-NEXT:     const float t2 = ((float)(t1 != 0));
// CHECK-NEXT:     b1[i0] = t2;
// CHECK:        fc_main_0_k0((const float *)p[0], (uint8_t *)p[1]);
// CHECK-NEXT:   fc_main_0_k1((const float *)p[0], (float *)p[2]);
