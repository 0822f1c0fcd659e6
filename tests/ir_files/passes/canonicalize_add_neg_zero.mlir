// canonicalize: x + (-0.0) is exactly x for every float x (both operand orders), so the
// add and the constant disappear.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %nz = furcate.constant dense<-0.0> : tensor<4xf32>
  %a = furcate.add %x, %nz : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = furcate.add %nz, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}
// CHECK-LABEL: func.func @main
// CHECK-NOT:   furcate.add
// CHECK-NOT:   furcate.constant
// CHECK:       func.return %x, %x
