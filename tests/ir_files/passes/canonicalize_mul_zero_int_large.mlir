// canonicalize: a large integer i * 0 becomes a broadcast of one scalar 0 (constants stay
// small: no 1024-element literal).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%i: tensor<32x32xi32>) -> tensor<32x32xi32> {
  %z = furcate.constant dense<0> : tensor<i32>
  %zb = furcate.broadcast_in_dim %z {broadcast_dimensions = array<i64>, shape = array<i64: 32, 32>} : (tensor<i32>) -> tensor<32x32xi32>
  %a = furcate.mul %zb, %i : (tensor<32x32xi32>, tensor<32x32xi32>) -> tensor<32x32xi32>
  func.return %a : tensor<32x32xi32>
}
// CHECK-NOT:  furcate.mul
// CHECK:      %[[Z:.*]] = furcate.constant dense<0> : tensor<i32>
// CHECK-NEXT: %[[B:.*]] = furcate.broadcast_in_dim %[[Z]] {broadcast_dimensions = array<i64>, shape = array<i64: 32, 32>} : (tensor<i32>) -> tensor<32x32xi32>
// CHECK-NEXT: func.return %[[B]]
