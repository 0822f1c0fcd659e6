// canonicalize: integer i + 0 and 0 + i fold to i (no signed zero for integers), also
// when the zero is a broadcast scalar.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%i: tensor<32xi32>) -> (tensor<32xi32>, tensor<32xi32>) {
  %z = furcate.constant dense<0> : tensor<i32>
  %zb = furcate.broadcast_in_dim %z {broadcast_dimensions = array<i64>, shape = array<i64: 32>} : (tensor<i32>) -> tensor<32xi32>
  %a = furcate.add %i, %zb : (tensor<32xi32>, tensor<32xi32>) -> tensor<32xi32>
  %b = furcate.add %zb, %a : (tensor<32xi32>, tensor<32xi32>) -> tensor<32xi32>
  func.return %a, %b : tensor<32xi32>, tensor<32xi32>
}
// CHECK-LABEL: func.func @main
// CHECK-NOT:   furcate.add
// CHECK-NOT:   furcate.broadcast_in_dim
// CHECK:       func.return %i, %i
