// verifier: a property the op does not define is rejected at the op.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_unknown_attribute.mlir:7:3: property 'keepdims' is not defined by the operation 'furcate.reduce'

func.func @main(%x: tensor<4xf32>) -> tensor<f32> {
  %a = furcate.reduce %x {dimensions = array<i64: 0>, keepdims = 1 : i64, kind = "sum"} : (tensor<4xf32>) -> tensor<f32>
  func.return %a : tensor<f32>
}
