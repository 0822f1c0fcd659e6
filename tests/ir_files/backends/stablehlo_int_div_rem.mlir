// lower-stablehlo: integer div and rem lower to plain stablehlo.divide / remainder: XLA
// already has furcate's x/0 = -1, x%0 = x semantics, so no guarding selects are added.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<4x8xi32>, %y: tensor<4x8xi32>) -> (tensor<4x8xi32>, tensor<4x8xi32>) {
  %a = furcate.div %x, %y : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi32>
  %b = furcate.rem %x, %y : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi32>
  func.return %a, %b : tensor<4x8xi32>, tensor<4x8xi32>
}
// CHECK:      %0 = stablehlo.divide %arg0, %arg1 : tensor<4x8xi32>
// CHECK-NEXT: %1 = stablehlo.remainder %arg0, %arg1 : tensor<4x8xi32>
// CHECK-NEXT: return %0, %1 : tensor<4x8xi32>, tensor<4x8xi32>
// CHECK-NOT:  stablehlo.select
