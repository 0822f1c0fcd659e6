// canonicalize: convert folds on constants: f32 -> i32 truncates toward zero and
// saturates, anything -> i1 is != 0, f32 -> bf16 rounds to nearest even.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<4xi32>, tensor<4xi1>, tensor<4xbf16>) {
  %f = furcate.constant dense<[-2.7, 2.7, 1.0e10, -0.0]> : tensor<4xf32>
  %i = furcate.convert %f : (tensor<4xf32>) -> tensor<4xi32>
  %b = furcate.convert %f : (tensor<4xf32>) -> tensor<4xi1>
  %h = furcate.constant dense<[1.0, 1.00390625, 1.01171875, 3.0]> : tensor<4xf32>
  %bf = furcate.convert %h : (tensor<4xf32>) -> tensor<4xbf16>
  func.return %i, %b, %bf : tensor<4xi32>, tensor<4xi1>, tensor<4xbf16>
}
// CHECK-NOT:  furcate.convert
// CHECK:      %[[I:.*]] = furcate.constant dense<[-2, 2, 2147483647, 0]> : tensor<4xi32>
// CHECK-NEXT: %[[B:.*]] = furcate.constant dense<[true, true, true, false]> : tensor<4xi1>
// CHECK-NEXT: %[[BF:.*]] = furcate.constant dense<[1.0, 1.0, 1.015625, 3.0]> : tensor<4xbf16>
// CHECK-NEXT: func.return %[[I]], %[[B]], %[[BF]]
