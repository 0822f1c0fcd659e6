// lower-stablehlo: compare carries its direction and FLOAT compare type, select keeps its
// operands, max/min are stablehlo.maximum/minimum, convert is stablehlo.convert.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<8xf32>, %y: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xi32>) {
  %c = furcate.compare %x, %y {comparison_direction = "GE"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xi1>
  %m = furcate.max %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %n = furcate.min %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s = furcate.select %c, %m, %n : (tensor<8xi1>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %i = furcate.convert %s : (tensor<8xf32>) -> tensor<8xi32>
  func.return %s, %i : tensor<8xf32>, tensor<8xi32>
}
// CHECK:      %0 = stablehlo.compare GE, %arg0, %arg1, FLOAT : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xi1>
// CHECK:      stablehlo.maximum %arg0, %arg1 : tensor<8xf32>
// CHECK:      stablehlo.minimum %arg0, %arg1 : tensor<8xf32>
// CHECK:      stablehlo.select %0, %{{[0-9]+}}, %{{[0-9]+}} : tensor<8xi1>, tensor<8xf32>
// CHECK:      %[[I:[0-9]+]] = stablehlo.convert %{{[0-9]+}} : (tensor<8xf32>) -> tensor<8xi32>
// CHECK-NEXT: return %{{[0-9]+}}, %[[I]] : tensor<8xf32>, tensor<8xi32>
