// canonicalize: x / 1 folds to x for floats and integers; 1 / x (a reciprocal) stays.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>, tensor<4xf32>) {
  %one = furcate.constant dense<1.0> : tensor<4xf32>
  %ione = furcate.constant dense<1> : tensor<4xi32>
  %a = furcate.div %x, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = furcate.div %i, %ione : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %c = furcate.div %one, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b, %c : tensor<4xf32>, tensor<4xi32>, tensor<4xf32>
}
// CHECK:      %[[ONE:.*]] = furcate.constant dense<1.0> : tensor<4xf32>
// CHECK-NEXT: %[[C:.*]] = furcate.div %[[ONE]], %x
// CHECK-NEXT: func.return %x, %i, %[[C]]
// CHECK-NOT:  furcate.div
