// emit-c: an explicit transpose of the weight feeding the matmul is folded into the GEMM
// as a trans flag (112 on B, ldb = 32) rather than copied; one kernel, one segment.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<8x32xf32>, %w: tensor<64x32xf32>) -> tensor<8x64xf32> {
  %wt = furcate.transpose %w {permutation = array<i64: 1, 0>} : (tensor<64x32xf32>) -> tensor<32x64xf32>
  %h = furcate.dot_general %x, %wt {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xf32>, tensor<32x64xf32>) -> tensor<8x64xf32>
  func.return %h : tensor<8x64xf32>
}
// CHECK:      // segment fc_main_0
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * b2, float * b3) {
// CHECK:              FC_SGEMM(101, 111, 112, 8, (hi - lo), 32, 1.0f, b0 + 0, 32, b1 + 0 + lo*32, 32, 0.0f, b3 + 0 + lo, 64);
// CHECK-NOT:  fc_main_0_k1
// CHECK-NOT:  // segment
