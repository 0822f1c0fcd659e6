// canonicalize: folding exposes duplicates that its final CSE merges: x * 1 and x / 1
// both become x, so the two tanh ops on them become one.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %one = furcate.constant dense<1.0> : tensor<4xf32>
  %a = furcate.mul %x, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = furcate.div %x, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %ta = furcate.tanh %a : (tensor<4xf32>) -> tensor<4xf32>
  %tb = furcate.tanh %b : (tensor<4xf32>) -> tensor<4xf32>
  func.return %ta, %tb : tensor<4xf32>, tensor<4xf32>
}
// CHECK:      %[[T:.*]] = furcate.tanh %x
// CHECK-NEXT: func.return %[[T]], %[[T]]
// CHECK-NOT:  furcate.tanh
