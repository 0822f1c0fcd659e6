// verifier: a reshape that changes the element count is rejected with both counts.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_reshape_numel.mlir:7:3: furcate.reshape: cannot reshape f32[6] (6 elements) to f32[4] (4)

func.func @main(%x: tensor<6xf32>) -> tensor<4xf32> {
  %a = furcate.reshape %x {shape = array<i64: 4>} : (tensor<6xf32>) -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}
