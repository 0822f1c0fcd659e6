// lower-stablehlo: an f16 sum accumulates in f32 explicitly: convert the operand to f32,
// reduce with add from 0.0, convert the result back to f16.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<4x32xf16>) -> tensor<4xf16> {
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x32xf16>) -> tensor<4xf16>
  func.return %s : tensor<4xf16>
}
// CHECK:      %0 = stablehlo.convert %arg0 : (tensor<4x32xf16>) -> tensor<4x32xf32>
// CHECK-NEXT: %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %1 = stablehlo.reduce(%0 init: %cst) applies stablehlo.add across dimensions = [1] : (tensor<4x32xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT: %2 = stablehlo.convert %1 : (tensor<4xf32>) -> tensor<4xf16>
// CHECK-NEXT: return %2 : tensor<4xf16>
