// verifier: an operand used above its definition is rejected at the use's line and
// column, naming the value.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_use_before_def.mlir:8:24: value %b is used before it is defined

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = furcate.add %x, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = furcate.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}
