// canonicalize: a constant mixing -0.0 and +0.0 is no splat (bitwise comparison), so
// x + [-0.0, 0.0] must stay even though x + (-0.0) would fold.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %z = furcate.constant dense<[-0.0, 0.0]> : tensor<2xf32>
  %a = furcate.add %x, %z : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %a : tensor<2xf32>
}
// CHECK:      %[[Z:.*]] = furcate.constant dense<[-0.0, 0.0]> : tensor<2xf32>
// CHECK-NEXT: %[[A:.*]] = furcate.add %x, %[[Z]]
// CHECK-NEXT: func.return %[[A]]
