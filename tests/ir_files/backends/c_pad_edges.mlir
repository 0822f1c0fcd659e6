// emit-c: an edge pad by 1 is its own kernel: each output index is shifted by -1, tested
// against [0, 3] in both dims, and the clamped (always in-bounds) read is selected against
// the padding value b1[0]; the sqrt is a second kernel over the workspace copy.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x4xf32>) -> tensor<6x6xf32> {
  %z = furcate.constant dense<0.0> : tensor<f32>
  %p = furcate.pad %x, %z {edge_padding_high = array<i64: 1, 1>, edge_padding_low = array<i64: 1, 1>, interior_padding = array<i64: 0, 0>} : (tensor<4x4xf32>, tensor<f32>) -> tensor<6x6xf32>
  %e = furcate.sqrt %p : (tensor<6x6xf32>) -> tensor<6x6xf32>
  func.return %e : tensor<6x6xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 6; i0++) {
// CHECK-NEXT:     for (int64_t i1 = 0; i1 < 6; i1++) {
// CHECK-NEXT:       const float t0 = b1[0];
// CHECK-NEXT:       const int64_t t1 = ((int64_t)(i0 + -1));
// CHECK:            const int t3 = (t1 >= t2);
// CHECK:            const int t5 = (t1 <= t4);
// CHECK:            const int64_t t11 = ((int64_t)(i1 + -1));
// CHECK:            const float t19 = b0[0 + 1*(t17 < 0 ? 0 : (t17 > 15 ? 15 : (int64_t)t17))];
// CHECK-NEXT:       const float t20 = (t18 ? t19 : t0);
// CHECK-NEXT:       b2[6*i0 + i1] = t20;
// CHECK:      static void fc_main_0_k1(const float * restrict b0, float * restrict b1) {
// CHECK:          const float t1 = sqrtf(t0);
// CHECK:        fc_main_0_k0((const float *)p[0], (const float *)p[1], (float *)(ws + 0));
