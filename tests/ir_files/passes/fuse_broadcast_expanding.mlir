// fuse: a per-row exp read through an expanding broadcast is not recomputed per element
// when that costs more than writing it: the exp stays its own small fusion.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%r: tensor<4xf32>, %x: tensor<4x1024xf32>) -> tensor<4x1024xf32> {
  %e = furcate.exp %r : (tensor<4xf32>) -> tensor<4xf32>
  %eb = furcate.broadcast_in_dim %e {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 1024>} : (tensor<4xf32>) -> tensor<4x1024xf32>
  %y = furcate.mul %x, %eb : (tensor<4x1024xf32>, tensor<4x1024xf32>) -> tensor<4x1024xf32>
  func.return %y : tensor<4x1024xf32>
}
// CHECK:      %[[E:.*]] = furcate.fusion "pointwise" on "default" (%r) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.exp
// CHECK-NEXT:   furcate.yield
// CHECK:      %[[Y:.*]] = furcate.fusion "pointwise" on "default" (%x, %[[E]])
// CHECK-NOT:    furcate.exp
// CHECK:        furcate.broadcast_in_dim
// CHECK-NEXT:   furcate.mul
// CHECK:      func.return %[[Y]]
