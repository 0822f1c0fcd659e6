// canonicalize: integer i * 0 folds to a zero constant (small result: inline), and the
// multiplied value becomes dead.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%i: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %n = furcate.neg %i : (tensor<2x3xi32>) -> tensor<2x3xi32>
  %z = furcate.constant dense<0> : tensor<2x3xi32>
  %a = furcate.mul %n, %z : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  func.return %a : tensor<2x3xi32>
}
// CHECK-NOT:  furcate.neg
// CHECK-NOT:  furcate.mul
// CHECK:      %[[Z:.*]] = furcate.constant dense<0> : tensor<2x3xi32>
// CHECK-NEXT: func.return %[[Z]]
