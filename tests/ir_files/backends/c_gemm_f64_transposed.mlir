// emit-c: an f64 dot_general contracting lhs dim 0 and rhs dim 1 (A^T B^T) is FC_DGEMM with
// both transposes folded into the flags (112, 112) and the leading dims of the stored
// operands (lda 8, ldb 32); no transpose copy is materialized.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%a: tensor<32x8xf64>, %b: tensor<16x32xf64>) -> tensor<8x16xf64> {
  %c = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<32x8xf64>, tensor<16x32xf64>) -> tensor<8x16xf64>
  func.return %c : tensor<8x16xf64>
}
// CHECK:      static void fc_main_0_k0(const double * restrict b0, const double * restrict b1, double * b2, double * b3) {
// CHECK:              FC_DGEMM(101, 112, 112, 8, (hi - lo), 32, 1.0, b0 + 0, 8, b1 + 0 + lo*32, 32, 0.0, b3 + 0 + lo, 16);
// CHECK-NOT:  FC_SGEMM(
// CHECK-NOT:  fc_main_0_k1
