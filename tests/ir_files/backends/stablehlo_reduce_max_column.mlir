// lower-stablehlo: a max over dim 0 is stablehlo.reduce applying maximum from an init of
// -inf, written bit-exactly as 0xFF800000.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<32x4xf32>) -> tensor<4xf32> {
  %s = furcate.reduce %x {dimensions = array<i64: 0>, kind = "max"} : (tensor<32x4xf32>) -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}
// CHECK:      %cst = stablehlo.constant dense<0xFF800000> : tensor<f32>
// CHECK-NEXT: %0 = stablehlo.reduce(%arg0 init: %cst) applies stablehlo.maximum across dimensions = [0] : (tensor<32x4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT: return %0 : tensor<4xf32>
