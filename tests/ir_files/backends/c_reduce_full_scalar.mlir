// emit-c: a sum over every dim of a 4x6x8 tensor is one flat 16-lane loop over the 192
// elements with no outer loop, storing the scalar into b1[0].
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x6x8xf32>) -> tensor<f32> {
  %a = furcate.reduce %x {dimensions = array<i64: 0, 1, 2>, kind = "sum"} : (tensor<4x6x8xf32>) -> tensor<f32>
  func.return %a : tensor<f32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1) {
// CHECK-NEXT:   float a1[16];
// CHECK-NEXT:   for (int l = 0; l < 16; l++) a1[l] = 0.0;
// CHECK-NEXT:   for (int64_t r0 = 0; r0 < 192; r0 += 16) {
// CHECK:            const float t0 = b0[i0];
// CHECK-NEXT:       a1[l] = (a1[l] + t0);
// CHECK:        for (int l = 1; l < 16; l++) s1 = (s1 + a1[l]);
// CHECK-NEXT:   const float t1 = (float)s1;
// CHECK-NEXT:   b1[0] = t1;
