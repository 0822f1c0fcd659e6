// verifier: a value that is never defined is reported at its use.
// RUN: not furcate opt %s -p canonicalize 2>&1 | filecheck %s

// CHECK: verify_undefined_value.mlir:7:20: value %y is used but never defined

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = furcate.neg %y : (tensor<4xf32>) -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}
