// cse: identical pure ops on the same operands (and identical constants) are merged into
// the first one, and every use is redirected to it.
// RUN: furcate opt %s -p cse | filecheck %s

func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %c1 = furcate.constant dense<2.0> : tensor<4xf32>
  %c2 = furcate.constant dense<2.0> : tensor<4xf32>
  %a = furcate.mul %x, %c1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = furcate.mul %x, %c2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %e1 = furcate.exp %a : (tensor<4xf32>) -> tensor<4xf32>
  %e2 = furcate.exp %b : (tensor<4xf32>) -> tensor<4xf32>
  func.return %e1, %e2 : tensor<4xf32>, tensor<4xf32>
}
// CHECK:      %[[C:.*]] = furcate.constant dense<2.0> : tensor<4xf32>
// CHECK-NEXT: %[[A:.*]] = furcate.mul %x, %[[C]]
// CHECK-NEXT: %[[E:.*]] = furcate.exp %[[A]]
// CHECK-NEXT: func.return %[[E]], %[[E]]
// CHECK-NOT:  furcate.mul
