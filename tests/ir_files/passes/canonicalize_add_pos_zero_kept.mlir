// canonicalize: x + 0.0 must stay for floats: (-0.0) + 0.0 is +0.0, not x.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = furcate.constant dense<0.0> : tensor<4xf32>
  %a = furcate.add %x, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}
// CHECK:      %[[Z:.*]] = furcate.constant dense<0.0> : tensor<4xf32>
// CHECK-NEXT: %[[A:.*]] = furcate.add %x, %[[Z]]
// CHECK-NEXT: func.return %[[A]]
