// emit-c: BLAS has no bf16 GEMM, so a bf16 dot_general is left to NumPy: a numpy step and
// no C segment, no FC_SGEMM on widened copies.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%a: tensor<8x32xbf16>, %b: tensor<32x16xbf16>) -> tensor<8x16xbf16> {
  %c = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xbf16>, tensor<32x16xbf16>) -> tensor<8x16xbf16>
  func.return %c : tensor<8x16xbf16>
}
// CHECK:      // numpy step: furcate.dot_general
// CHECK-NOT:  // segment
// CHECK-NOT:  FC_SGEMM(
