// canonicalize: unary float ops fold on constants (sqrt of a negative is NaN, log of 0
// is -inf, abs/sign keep their special cases), and a folded chain leaves one constant.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %c = furcate.constant dense<[4.0, -1.0, 0.0, -0.0]> : tensor<4xf32>
  %s = furcate.sqrt %c : (tensor<4xf32>) -> tensor<4xf32>
  %l = furcate.log %c : (tensor<4xf32>) -> tensor<4xf32>
  %a = furcate.abs %c : (tensor<4xf32>) -> tensor<4xf32>
  %g = furcate.sign %c : (tensor<4xf32>) -> tensor<4xf32>
  func.return %s, %l, %a, %g : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
// CHECK-NOT:  furcate.sqrt
// CHECK:      %[[S:.*]] = furcate.constant dense<[2.0, {{nan|0x[0-9A-F]+}}, 0.0, -0.0]> : tensor<4xf32>
// CHECK-NEXT: %[[L:.*]] = furcate.constant dense<[1.3862944, {{nan|0x[0-9A-F]+}}, -inf, -inf]> : tensor<4xf32>
// CHECK-NEXT: %[[A:.*]] = furcate.constant dense<[4.0, 1.0, 0.0, 0.0]> : tensor<4xf32>
// CHECK-NEXT: %[[G:.*]] = furcate.constant dense<[1.0, -1.0, 0.0, -0.0]> : tensor<4xf32>
// CHECK-NEXT: func.return %[[S]], %[[L]], %[[A]], %[[G]]
