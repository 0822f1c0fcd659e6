// emit-c: a batched matmul (batch dim 0 on both sides) loops over the 3 batches and makes
// one FC_SGEMM per batch, offsetting A, B and C by their batch strides (256, 512, 128).
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%a: tensor<3x8x32xf32>, %b: tensor<3x32x16xf32>) -> tensor<3x8x16xf32> {
  %c = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<3x8x32xf32>, tensor<3x32x16xf32>) -> tensor<3x8x16xf32>
  func.return %c : tensor<3x8x16xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * b2, float * b3) {
// CHECK:          for (int64_t t = 0; t < 3 * S; t++) {
// CHECK:            const int64_t i0 = q % 3;
// CHECK:              FC_SGEMM(101, 111, 111, 8, (hi - lo), 32, 1.0f, b0 + 0 + 256*i0, 32, b1 + 0 + 512*i0 + lo*1, 16, 0.0f, b3 + 0 + 128*i0 + lo, 16);
// CHECK-NOT:  fc_main_0_k1
