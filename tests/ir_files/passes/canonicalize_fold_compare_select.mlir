// canonicalize: compare folds to an i1 constant with IEEE NaN rules (only NE is true for
// NaN) and the select on it folds too: a whole where(x < y, x, y) on constants.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xf32>) {
  %x = furcate.constant dense<[1.0, nan, 3.0]> : tensor<3xf32>
  %y = furcate.constant dense<[2.0, 1.0, -3.0]> : tensor<3xf32>
  %lt = furcate.compare %x, %y {comparison_direction = "LT"} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %ne = furcate.compare %x, %y {comparison_direction = "NE"} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %s = furcate.select %lt, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %lt, %ne, %s : tensor<3xi1>, tensor<3xi1>, tensor<3xf32>
}
// CHECK-NOT:  furcate.compare
// CHECK-NOT:  furcate.select
// CHECK:      %[[LT:.*]] = furcate.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-NEXT: %[[NE:.*]] = furcate.constant dense<true> : tensor<3xi1>
// CHECK-NEXT: %[[S:.*]] = furcate.constant dense<[1.0, 1.0, -3.0]> : tensor<3xf32>
// CHECK-NEXT: func.return %[[LT]], %[[NE]], %[[S]]
