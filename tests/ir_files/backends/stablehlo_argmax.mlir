// lower-stablehlo: argmax is a two-operand reduce over (value, iota index) from (-inf, 0):
// the reducer keeps the larger value, the lower index on ties, and a NaN over any number.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<4x32xf32>) -> tensor<4xi32> {
  %s = furcate.argmax %x {dimension = 1 : i64, index_dtype = "i32"} : (tensor<4x32xf32>) -> tensor<4xi32>
  func.return %s : tensor<4xi32>
}
// CHECK:      %0 = stablehlo.iota dim = 1 : tensor<4x32xi32>
// CHECK-NEXT: %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
// CHECK-NEXT: %c = stablehlo.constant dense<0> : tensor<i32>
// CHECK-NEXT: %1:2 = stablehlo.reduce(%arg0 init: %cst), (%0 init: %c) across dimensions = [1] : (tensor<4x32xf32>, tensor<4x32xi32>, tensor<f32>, tensor<i32>) -> (tensor<4xf32>, tensor<4xi32>)
// CHECK:        stablehlo.compare GT, %arg1, %arg3, FLOAT
// CHECK:        stablehlo.compare EQ, %arg1, %arg3, FLOAT
// CHECK:        stablehlo.compare NE, %arg1, %arg1, FLOAT
// CHECK:        stablehlo.select %{{[0-9]+}}, %arg1, %arg3 : tensor<i1>, tensor<f32>
// CHECK-NEXT:   stablehlo.select %{{[0-9]+}}, %arg2, %arg4 : tensor<i1>, tensor<i32>
// CHECK:      return %1#1 : tensor<4xi32>
