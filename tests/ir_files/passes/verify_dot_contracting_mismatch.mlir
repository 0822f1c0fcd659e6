// verifier: dot_general contracting dims of different sizes are rejected with both sizes.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_dot_contracting_mismatch.mlir:7:3: furcate.dot_general: contracting dims lhs 1 (8) and rhs 0 (4) differ

func.func @main(%x: tensor<4x8xf32>, %w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = furcate.dot_general %x, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %a : tensor<4x8xf32>
}
