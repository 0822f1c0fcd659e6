// lower-stablehlo: iota lowers to stablehlo.iota (integer compare is SIGNED) and a
// NaN constant is written by its bits and max(x, NaN) is not folded away (NaN propagates).
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<4x8xi32>, %f: tensor<4xf32>) -> (tensor<4x8xi1>, tensor<4xf32>) {
  %i = furcate.iota {iota_dimension = 1 : i64} : () -> tensor<4x8xi32>
  %c = furcate.compare %x, %i {comparison_direction = "EQ"} : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi1>
  %n = furcate.constant dense<nan> : tensor<4xf32>
  %m = furcate.max %f, %n : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %c, %m : tensor<4x8xi1>, tensor<4xf32>
}
// CHECK:      %0 = stablehlo.iota dim = 1 : tensor<4x8xi32>
// CHECK-NEXT: %1 = stablehlo.compare EQ, %arg0, %0, SIGNED : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi1>
// CHECK-NEXT: %cst = stablehlo.constant dense<0x7FC00000> : tensor<4xf32>
// CHECK-NEXT: %2 = stablehlo.maximum %arg1, %cst : tensor<4xf32>
// CHECK-NEXT: return %1, %2 : tensor<4x8xi1>, tensor<4xf32>
