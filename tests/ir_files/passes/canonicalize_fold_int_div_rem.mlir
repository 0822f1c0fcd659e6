// canonicalize: integer div/rem fold with XLA's rules, never a trap: truncation toward
// zero, x / 0 = -1, x % 0 = x, INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<4xi32>, tensor<4xi32>) {
  %n = furcate.constant dense<[-7, 5, -2147483648, -2147483648]> : tensor<4xi32>
  %d = furcate.constant dense<[2, 0, -1, 3]> : tensor<4xi32>
  %q = furcate.div %n, %d : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %r = furcate.rem %n, %d : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  func.return %q, %r : tensor<4xi32>, tensor<4xi32>
}
// CHECK-NOT:  furcate.div
// CHECK-NOT:  furcate.rem
// CHECK:      %[[Q:.*]] = furcate.constant dense<[-3, -1, -2147483648, -715827882]> : tensor<4xi32>
// CHECK-NEXT: %[[R:.*]] = furcate.constant dense<[-1, 5, 0, -2]> : tensor<4xi32>
// CHECK-NEXT: func.return %[[Q]], %[[R]]
