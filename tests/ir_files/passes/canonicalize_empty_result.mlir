// canonicalize: an op with a zero-element result has nothing to compute and becomes an
// empty constant (here an exp and a dot_general over a 0-size dim).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<0x4xf32>, %w: tensor<4x3xf32>) -> (tensor<0x4xf32>, tensor<0x3xf32>) {
  %e = furcate.exp %x : (tensor<0x4xf32>) -> tensor<0x4xf32>
  %d = furcate.dot_general %x, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<0x4xf32>, tensor<4x3xf32>) -> tensor<0x3xf32>
  func.return %e, %d : tensor<0x4xf32>, tensor<0x3xf32>
}
// CHECK-NOT:  furcate.exp
// CHECK-NOT:  furcate.dot_general
// CHECK:      %[[E:.*]] = furcate.constant dense<[]> : tensor<0x4xf32>
// CHECK-NEXT: %[[D:.*]] = furcate.constant dense<[]> : tensor<0x3xf32>
// CHECK-NEXT: func.return %[[E]], %[[D]]
