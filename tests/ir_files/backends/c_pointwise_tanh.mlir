// emit-c: add then tanh fuse into one pointwise C kernel over the flattened 4x8 space;
// f32 tanh is furcate's own approximation (fc_tanhf), inlined; one store, no temporaries.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = furcate.add %x, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %b = furcate.tanh %a : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %b : tensor<4x8xf32>
}
// CHECK:      // segment fc_main_0
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 32; i0++) {
// CHECK:          const float t2 = (t0 + t1);
// CHECK-NEXT:     const float t3 = fc_tanhf(t2);
// CHECK-NEXT:     b2[i0] = t3;
// CHECK:      void fc_main_0(void **p) {
// CHECK-NEXT:   char *ws = (char *)p[3];
// CHECK-NEXT:   fc_main_0_k0((const float *)p[0], (const float *)p[1], (float *)p[2]);
// CHECK-NOT:  fc_main_0_k1
