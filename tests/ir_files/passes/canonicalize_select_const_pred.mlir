// canonicalize: a splat predicate picks its branch: select(true, a, b) -> a and
// select(false, a, b) -> b, also through a broadcast predicate.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<64xf32>, %y: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %t = furcate.constant dense<true> : tensor<i1>
  %f = furcate.constant dense<false> : tensor<i1>
  %tb = furcate.broadcast_in_dim %t {broadcast_dimensions = array<i64>, shape = array<i64: 64>} : (tensor<i1>) -> tensor<64xi1>
  %fb = furcate.broadcast_in_dim %f {broadcast_dimensions = array<i64>, shape = array<i64: 64>} : (tensor<i1>) -> tensor<64xi1>
  %a = furcate.select %tb, %x, %y : (tensor<64xi1>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %b = furcate.select %fb, %x, %y : (tensor<64xi1>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  func.return %a, %b : tensor<64xf32>, tensor<64xf32>
}
// CHECK-LABEL: func.func @main
// CHECK-NOT:   furcate.select
// CHECK-NOT:   furcate.broadcast_in_dim
// CHECK:       func.return %x, %y
