// canonicalize: select(p, x, x) -> x whatever p is; select(p, x, y) with an unknown p stays.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%p: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = furcate.select %p, %x, %x : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = furcate.select %p, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}
// CHECK:      %[[B:.*]] = furcate.select %p, %x, %y
// CHECK-NEXT: func.return %x, %[[B]]
