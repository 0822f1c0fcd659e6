// verifier: a reduce kind outside sum|max|min|prod|and|or is rejected.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_unknown_reduce_kind.mlir:7:3: furcate.reduce: unknown reduce kind 'mean'

func.func @main(%x: tensor<4xf32>) -> tensor<f32> {
  %a = furcate.reduce %x {dimensions = array<i64: 0>, kind = "mean"} : (tensor<4xf32>) -> tensor<f32>
  func.return %a : tensor<f32>
}
