// canonicalize: x * 1 and 1 * x fold to x for floats and integers, including a large
// operand multiplied by a broadcast splat 1.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<64xf32>, %i: tensor<4xi64>) -> (tensor<64xf32>, tensor<4xi64>) {
  %one = furcate.constant dense<1.0> : tensor<f32>
  %ob = furcate.broadcast_in_dim %one {broadcast_dimensions = array<i64>, shape = array<i64: 64>} : (tensor<f32>) -> tensor<64xf32>
  %a = furcate.mul %ob, %x : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %ione = furcate.constant dense<1> : tensor<4xi64>
  %b = furcate.mul %i, %ione : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  func.return %a, %b : tensor<64xf32>, tensor<4xi64>
}
// CHECK-LABEL: func.func @main
// CHECK-NOT:   furcate.mul
// CHECK-NOT:   furcate.broadcast_in_dim
// CHECK:       func.return %x, %i
