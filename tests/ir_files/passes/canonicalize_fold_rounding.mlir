// canonicalize: the rounding ops fold with their own tie rules: round_nearest_even
// (2.5 -> 2) versus round_nearest_afz (2.5 -> 3), floor and ceil of negatives.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %c = furcate.constant dense<[2.5, -2.5, 0.5, -1.25]> : tensor<4xf32>
  %e = furcate.round_nearest_even %c : (tensor<4xf32>) -> tensor<4xf32>
  %a = furcate.round_nearest_afz %c : (tensor<4xf32>) -> tensor<4xf32>
  %f = furcate.floor %c : (tensor<4xf32>) -> tensor<4xf32>
  %u = furcate.ceil %c : (tensor<4xf32>) -> tensor<4xf32>
  func.return %e, %a, %f, %u : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
// CHECK:      %[[E:.*]] = furcate.constant dense<[2.0, -2.0, 0.0, -1.0]> : tensor<4xf32>
// CHECK-NEXT: %[[A:.*]] = furcate.constant dense<[3.0, -3.0, 1.0, -1.0]> : tensor<4xf32>
// CHECK-NEXT: %[[F:.*]] = furcate.constant dense<[2.0, -3.0, 0.0, -2.0]> : tensor<4xf32>
// CHECK-NEXT: %[[U:.*]] = furcate.constant dense<[3.0, -2.0, 1.0, -1.0]> : tensor<4xf32>
// CHECK-NEXT: func.return %[[E]], %[[A]], %[[F]], %[[U]]
