// canonicalize: erf is deliberately never folded (its reference needs SciPy), even on a
// constant operand; the exp beside it folds.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<2xf32>, tensor<2xf32>) {
  %c = furcate.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %e = furcate.erf %c : (tensor<2xf32>) -> tensor<2xf32>
  %x = furcate.exp %c : (tensor<2xf32>) -> tensor<2xf32>
  func.return %e, %x : tensor<2xf32>, tensor<2xf32>
}
// CHECK:      %[[C:.*]] = furcate.constant dense<[0.0, 1.0]> : tensor<2xf32>
// CHECK-NEXT: %[[E:.*]] = furcate.erf %[[C]]
// CHECK-NEXT: %[[X:.*]] = furcate.constant dense<[1.0, 2.71828{{[0-9]*}}]> : tensor<2xf32>
// CHECK-NEXT: func.return %[[E]], %[[X]]
// CHECK-NOT:  furcate.exp
