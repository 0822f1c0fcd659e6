// verifier: binary ops never promote: f32 + i32 is rejected and asks for a convert.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_dtype_promotion.mlir:7:3: furcate.add: operand dtypes f32 and i32 differ (no implicit promotion: insert convert)

func.func @main(%x: tensor<4xf32>, %y: tensor<4xi32>) -> tensor<4xf32> {
  %a = furcate.add %x, %y : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}
