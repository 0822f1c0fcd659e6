// canonicalize: an integer -> bf16 convert is never folded (double rounding through f64
// would differ from targets); a float -> bf16 convert of the same values folds.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<2xbf16>, tensor<2xbf16>) {
  %i = furcate.constant dense<[257, 3]> : tensor<2xi32>
  %a = furcate.convert %i : (tensor<2xi32>) -> tensor<2xbf16>
  %f = furcate.constant dense<[256.0, 3.0]> : tensor<2xf32>
  %b = furcate.convert %f : (tensor<2xf32>) -> tensor<2xbf16>
  func.return %a, %b : tensor<2xbf16>, tensor<2xbf16>
}
// CHECK:      %[[I:.*]] = furcate.constant dense<[257, 3]> : tensor<2xi32>
// CHECK-NEXT: %[[A:.*]] = furcate.convert %[[I]] : (tensor<2xi32>) -> tensor<2xbf16>
// CHECK-NEXT: %[[B:.*]] = furcate.constant dense<[256.0, 3.0]> : tensor<2xbf16>
// CHECK-NEXT: func.return %[[A]], %[[B]]
