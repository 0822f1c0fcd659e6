// canonicalize: the reshape must NOT sink when the other operand varies along a dim the
// reshape splits (a per-batch [2] broadcast on dim 0 of the [2, 4, 8] view).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%m: tensor<8x8xf32>, %s: tensor<2xf32>) -> tensor<2x4x8xf32> {
  %r = furcate.reshape %m {shape = array<i64: 2, 4, 8>} : (tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %sb = furcate.broadcast_in_dim %s {broadcast_dimensions = array<i64: 0>, shape = array<i64: 2, 4, 8>} : (tensor<2xf32>) -> tensor<2x4x8xf32>
  %a = furcate.mul %r, %sb : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  func.return %a : tensor<2x4x8xf32>
}
// CHECK:      %[[R:.*]] = furcate.reshape %m {shape = array<i64: 2, 4, 8>}
// CHECK-NEXT: %[[SB:.*]] = furcate.broadcast_in_dim %s
// CHECK-NEXT: %[[A:.*]] = furcate.mul %[[R]], %[[SB]] : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: func.return %[[A]]
