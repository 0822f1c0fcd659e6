// cse also works inside a fusion region: the duplicate exp in the region body merges,
// the region's yield reads the survivor.
// RUN: furcate opt %s -p cse | filecheck %s

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %f = furcate.fusion "pointwise" on "cpu" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %e1 = furcate.exp %a : (tensor<4xf32>) -> tensor<4xf32>
    %e2 = furcate.exp %a : (tensor<4xf32>) -> tensor<4xf32>
    %s = furcate.add %e1, %e2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    furcate.yield %s : tensor<4xf32>
  }
  func.return %f : tensor<4xf32>
}
// CHECK:      ^bb0(%[[ARG:.*]]: tensor<4xf32>):
// CHECK-NEXT:   %[[E:.*]] = furcate.exp %[[ARG]]
// CHECK-NEXT:   %[[S:.*]] = furcate.add %[[E]], %[[E]]
// CHECK-NEXT:   furcate.yield %[[S]] : tensor<4xf32>
