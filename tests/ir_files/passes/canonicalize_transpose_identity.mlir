// canonicalize: a transpose with the identity permutation is removed; a rank-3 transpose
// that moves dims stays.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x2x3xf32>) {
  %a = furcate.transpose %x {permutation = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %b = furcate.transpose %a {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  func.return %a, %b : tensor<2x3x4xf32>, tensor<4x2x3xf32>
}
// CHECK:      %[[B:.*]] = furcate.transpose %x {permutation = array<i64: 2, 0, 1>}
// CHECK-NEXT: func.return %x, %[[B]]
