// fuse: without the backend's "gather" extra a furcate.gather (embedding lookup) stays a
// top-level op; the scale applied to its result is a pointwise fusion reading it.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%table: tensor<100x16xf32>, %ids: tensor<8xi32>) -> tensor<8x16xf32> {
  %g = furcate.gather %table, %ids {axis = 0 : i64} : (tensor<100x16xf32>, tensor<8xi32>) -> tensor<8x16xf32>
  %c = furcate.constant dense<4.0> : tensor<8x16xf32>
  %y = furcate.mul %g, %c : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  func.return %y : tensor<8x16xf32>
}
// CHECK:      %[[G:.*]] = furcate.gather %table, %ids {axis = 0 : i64}
// CHECK-NEXT: %[[Y:.*]] = furcate.fusion "pointwise" on "default" (%[[G]])
// CHECK-NOT:    furcate.gather
// CHECK:        furcate.mul
// CHECK:      func.return %[[Y]]
