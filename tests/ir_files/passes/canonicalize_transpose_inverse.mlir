// canonicalize: a rank-3 transpose followed by its inverse permutation cancels to x.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %a = furcate.transpose %x {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %b = furcate.transpose %a {permutation = array<i64: 1, 2, 0>} : (tensor<4x2x3xf32>) -> tensor<2x3x4xf32>
  func.return %b : tensor<2x3x4xf32>
}
// CHECK-LABEL: func.func @main
// CHECK-NOT:   furcate.transpose
// CHECK:       func.return %x
