// canonicalize: layout ops on constants fold: a transpose, reshape, slice and
// concatenate of literals leave one literal.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> tensor<5xi32> {
  %c = furcate.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %t = furcate.transpose %c {permutation = array<i64: 1, 0>} : (tensor<2x3xi32>) -> tensor<3x2xi32>
  %r = furcate.reshape %t {shape = array<i64: 6>} : (tensor<3x2xi32>) -> tensor<6xi32>
  %s = furcate.slice %r {start_indices = array<i64: 1>, limit_indices = array<i64: 6>, strides = array<i64: 2>} : (tensor<6xi32>) -> tensor<3xi32>
  %k = furcate.constant dense<[7, 8]> : tensor<2xi32>
  %cat = furcate.concatenate %s, %k {dimension = 0 : i64} : (tensor<3xi32>, tensor<2xi32>) -> tensor<5xi32>
  func.return %cat : tensor<5xi32>
}
// CHECK-NOT:  furcate.transpose
// CHECK-NOT:  furcate.concatenate
// CHECK:      %[[C:.*]] = furcate.constant dense<[4, 5, 6, 7, 8]> : tensor<5xi32>
// CHECK-NEXT: func.return %[[C]]
