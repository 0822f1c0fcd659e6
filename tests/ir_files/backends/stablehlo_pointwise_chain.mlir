// lower-stablehlo: fusion regions are flattened back to plain StableHLO ops; a pointwise
// chain maps op for op (add, tanh, multiply, logistic) on the function arguments.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = furcate.add %x, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %b = furcate.tanh %a : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %c = furcate.mul %b, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %d = furcate.logistic %c : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %d : tensor<4x8xf32>
}
// CHECK:      func.func public @main(%arg0: tensor<4x8xf32>, %arg1: tensor<4x8xf32>) -> tensor<4x8xf32> {
// CHECK-NEXT:   %0 = stablehlo.add %arg0, %arg1 : tensor<4x8xf32>
// CHECK-NEXT:   %1 = stablehlo.tanh %0 : tensor<4x8xf32>
// CHECK-NEXT:   %2 = stablehlo.multiply %1, %arg0 : tensor<4x8xf32>
// CHECK-NEXT:   %3 = stablehlo.logistic %2 : tensor<4x8xf32>
// CHECK-NEXT:   return %3 : tensor<4x8xf32>
// CHECK-NOT:  furcate.
