// canonicalize: broadcast_in_dim to the same shape with identity dims is removed; one that
// expands a size-1 dim of the same rank is a real broadcast and stays.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<3x3xf32>, %r: tensor<1x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>) {
  %a = furcate.broadcast_in_dim %x {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 3, 3>} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  %b = furcate.broadcast_in_dim %r {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 3, 3>} : (tensor<1x3xf32>) -> tensor<3x3xf32>
  func.return %a, %b : tensor<3x3xf32>, tensor<3x3xf32>
}
// CHECK:      %[[B:.*]] = furcate.broadcast_in_dim %r {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 3, 3>}
// CHECK-NEXT: func.return %x, %[[B]]
// CHECK-NOT:  furcate.broadcast_in_dim %x
