// canonicalize: a small broadcast of a non-splat constant folds to a literal; the
// transposed read through it folds with it.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> tensor<3x2xf32> {
  %c = furcate.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = furcate.broadcast_in_dim %c {broadcast_dimensions = array<i64: 1>, shape = array<i64: 3, 2>} : (tensor<2xf32>) -> tensor<3x2xf32>
  %n = furcate.neg %b : (tensor<3x2xf32>) -> tensor<3x2xf32>
  func.return %n : tensor<3x2xf32>
}
// CHECK-NOT:  furcate.broadcast_in_dim
// CHECK-NOT:  furcate.neg
// CHECK:      %[[N:.*]] = furcate.constant dense<{{\[\[}}-1.0, -2.0], [-1.0, -2.0], [-1.0, -2.0]]> : tensor<3x2xf32>
// CHECK-NEXT: func.return %[[N]]
