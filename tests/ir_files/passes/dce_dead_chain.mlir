// dce: a whole chain of ops whose results never reach func.return (exp -> reduce ->
// broadcast, with its constant) is removed; the live ops stay in order.
// RUN: furcate opt %s -p dce | filecheck %s

func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = furcate.exp %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %s = furcate.reduce %e {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x8xf32>) -> tensor<4xf32>
  %sb = furcate.broadcast_in_dim %s {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 8>} : (tensor<4xf32>) -> tensor<4x8xf32>
  %c = furcate.constant dense<3.0> : tensor<4x8xf32>
  %d = furcate.div %sb, %c : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %n = furcate.neg %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %n : tensor<4x8xf32>
}
// CHECK:      func.func @main
// CHECK-NEXT:   %[[N:.*]] = furcate.neg %x
// CHECK-NEXT:   func.return %[[N]]
// CHECK-NOT:  furcate.exp
// CHECK-NOT:  furcate.reduce
// CHECK-NOT:  furcate.div
