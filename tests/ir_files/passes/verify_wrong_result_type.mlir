// verifier: a reduce whose declared result type is not the inferred one (the kept dim,
// not the reduced dim) is rejected with both types, at the op's line.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_wrong_result_type.mlir:8:3: furcate.reduce: result type f32[8] does not match the inferred f32[4]

func.func @main(%x: tensor<4x8xf32>) -> tensor<8xf32> {
  %a = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x8xf32>) -> tensor<8xf32>
  func.return %a : tensor<8xf32>
}
