// emit-c: a small grouped (feature_group_count = 2), stride-2 convolution is a direct loop,
// not im2col + GEMM: one task per output channel o (group o / 3 reads input channels
// (o / 3)*2 ..), zeroed output, then weight-times-strided-input accumulation.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %y = furcate.convolution %x, %w {feature_group_count = 2 : i64, lhs_dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  func.return %y : tensor<1x6x4x4xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * b2, float * b3) {
// CHECK-NEXT:   for (int64_t t = 0; t < 6; t++) {
// CHECK:          const float *xg = b0 + (n*4 + (o / 3)*2)*64;
// CHECK-NEXT:     float *restrict a = b3 + (n*6 + o)*16;
// CHECK-NEXT:     for (int64_t p = p0; p < p1; p++) a[p] = 0;
// CHECK:            for (int64_t c = 0; c < 2; c++) {
// CHECK:            const int64_t qh = oh*2 + kh*1 - 1;
// CHECK:            const float wv = b1[(o*2 + c)*9 + (kd*3 + kh)*3 + kw];
// CHECK:            for (int64_t j = jlo; j < jhi; j++) ar[j] += wv * src[(ow0 + j)*2 + off];
// CHECK-NOT:  FC_SGEMM(
// CHECK-NOT:  numpy step
