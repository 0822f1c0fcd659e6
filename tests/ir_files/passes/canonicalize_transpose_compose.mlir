// canonicalize: transpose(transpose(x, p1), p2) becomes one transpose with permutation
// p1[p2[i]]: here (1,2,0) then (1,2,0) compose to (2,0,1).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %a = furcate.transpose %x {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %b = furcate.transpose %a {permutation = array<i64: 1, 2, 0>} : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32>
  func.return %b : tensor<4x2x3xf32>
}
// CHECK:      %[[T:.*]] = furcate.transpose %x {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: func.return %[[T]]
// CHECK-NOT:  furcate.transpose
