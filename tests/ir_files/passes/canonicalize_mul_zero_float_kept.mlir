// canonicalize: float x * 0 must NOT fold to 0: NaN * 0 and inf * 0 are NaN, and
// (-1) * 0 is -0.0. Both operand orders keep the mul.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4xf32>, %h: tensor<4xf16>) -> (tensor<4xf32>, tensor<4xf16>) {
  %z = furcate.constant dense<0.0> : tensor<4xf32>
  %a = furcate.mul %z, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %hz = furcate.constant dense<0.0> : tensor<4xf16>
  %b = furcate.mul %h, %hz : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  func.return %a, %b : tensor<4xf32>, tensor<4xf16>
}
// CHECK:      %[[Z:.*]] = furcate.constant dense<0.0> : tensor<4xf32>
// CHECK-NEXT: %[[A:.*]] = furcate.mul %[[Z]], %x
// CHECK-NEXT: %[[HZ:.*]] = furcate.constant dense<0.0> : tensor<4xf16>
// CHECK-NEXT: %[[B:.*]] = furcate.mul %h, %[[HZ]]
// CHECK-NEXT: func.return %[[A]], %[[B]]
