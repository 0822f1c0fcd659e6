// cse: duplicated layout chains (broadcast, then transpose) merge level by level, so the
// two adds on them become one too.
// RUN: furcate opt %s -p cse | filecheck %s

func.func @main(%b: tensor<3xf32>, %x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %b1 = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
  %b2 = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
  %t1 = furcate.transpose %b1 {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %t2 = furcate.transpose %b2 {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %a1 = furcate.add %t1, %x : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  %a2 = furcate.add %t2, %x : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  func.return %a1, %a2 : tensor<3x2xf32>, tensor<3x2xf32>
}
// CHECK:      %[[B:.*]] = furcate.broadcast_in_dim %b
// CHECK-NEXT: %[[T:.*]] = furcate.transpose %[[B]]
// CHECK-NEXT: %[[A:.*]] = furcate.add %[[T]], %x
// CHECK-NEXT: func.return %[[A]], %[[A]]
// CHECK-NOT:  furcate.add
