// emit-c: a 3x3 NCHW convolution with padding 1 is compiled as im2col + GEMM: a _cols
// helper copies windows into a scratch column buffer (zeros where the window leaves the
// image), then FC_SGEMM multiplies the [6 x 36] weights by the [36 x pc] columns.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32> {
  %y = furcate.convolution %x, %w {feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32>
  func.return %y : tensor<1x6x8x8xf32>
}
// CHECK:      static void fc_main_0_k0_cols(const float *restrict x, float *restrict col, int64_t p0, int64_t pc) {
// CHECK:        for (int64_t c = 0; c < 4; c++) {
// CHECK:        for (int64_t kh = 0; kh < 3; kh++) {
// CHECK-NEXT:   const int64_t qh = oh*1 + kh*1 - 1;
// CHECK:        for (int64_t kw = 0; kw < 3; kw++) {
// CHECK:        if (!ok) { for (int64_t j = 0; j < len; j++) dst[j] = 0; continue; }
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * b2, float * b3) {
// CHECK:          float *restrict col = (float *)fc_scratch(0, sizeof(float) * 36 * pc);
// CHECK-NEXT:     fc_main_0_k0_cols(xg, col, p0, pc);
// CHECK:          FC_SGEMM(101, 111, 111, 6, pc, 36, 1.0f, b1 + gi*216, 36, col, pc, 0.0f, b3 + (n*6 + gi*6)*64 + p0, 64);
// CHECK-NOT:  numpy step
