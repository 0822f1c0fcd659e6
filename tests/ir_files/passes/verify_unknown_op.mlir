// verifier: an op name the furcate dialect does not define is rejected with its position.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_unknown_op.mlir:7:21: Operation furcate.gelu is not registered

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = furcate.gelu %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}
