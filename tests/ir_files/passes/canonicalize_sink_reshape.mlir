// canonicalize: bias + activation on a [2, 4, 8] view of an [8, 8] matmul sink below the
// reshape: the add and tanh run on [8, 8] and one reshape follows them.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<8x16xf32>, %w: tensor<16x8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %m = furcate.dot_general %x, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x16xf32>, tensor<16x8xf32>) -> tensor<8x8xf32>
  %r = furcate.reshape %m {shape = array<i64: 2, 4, 8>} : (tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 2>, shape = array<i64: 2, 4, 8>} : (tensor<8xf32>) -> tensor<2x4x8xf32>
  %a = furcate.add %r, %bb : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %t = furcate.tanh %a : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  func.return %t : tensor<2x4x8xf32>
}
// CHECK:      %[[M:.*]] = furcate.dot_general %x, %w
// CHECK-NEXT: %[[B:.*]] = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 8>}
// CHECK-NEXT: %[[A:.*]] = furcate.add %[[M]], %[[B]] : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
// CHECK-NEXT: %[[T:.*]] = furcate.tanh %[[A]] : (tensor<8x8xf32>) -> tensor<8x8xf32>
// CHECK-NEXT: %[[R:.*]] = furcate.reshape %[[T]] {shape = array<i64: 2, 4, 8>}
// CHECK-NEXT: func.return %[[R]]
