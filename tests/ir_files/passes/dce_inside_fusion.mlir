// dce: dead ops inside a live fusion region are removed; the yielded chain stays.
// RUN: furcate opt %s -p dce | filecheck %s

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %f = furcate.fusion "pointwise" on "cpu" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %dead = furcate.exp %a : (tensor<4xf32>) -> tensor<4xf32>
    %n = furcate.neg %a : (tensor<4xf32>) -> tensor<4xf32>
    furcate.yield %n : tensor<4xf32>
  }
  func.return %f : tensor<4xf32>
}
// CHECK:      ^bb0(%[[ARG:.*]]: tensor<4xf32>):
// CHECK-NEXT:   %[[N:.*]] = furcate.neg %[[ARG]]
// CHECK-NEXT:   furcate.yield %[[N]] : tensor<4xf32>
// CHECK-NOT:  furcate.exp
