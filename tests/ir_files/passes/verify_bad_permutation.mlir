// verifier: a transpose permutation that repeats a dim is rejected.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_bad_permutation.mlir:7:3: furcate.transpose: permutation [0, 0] is not a permutation of rank 2

func.func @main(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %a = furcate.transpose %x {permutation = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  func.return %a : tensor<3x2xf32>
}
