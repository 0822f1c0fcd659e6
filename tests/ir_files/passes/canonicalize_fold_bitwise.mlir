// canonicalize: and/or/xor/not fold on i1 (logical) and on integers (bitwise).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<2xi1>, tensor<2xi1>, tensor<2xi32>, tensor<2xi32>) {
  %p = furcate.constant dense<[true, false]> : tensor<2xi1>
  %q = furcate.constant dense<[true, true]> : tensor<2xi1>
  %x = furcate.xor %p, %q : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  %n = furcate.not %p : (tensor<2xi1>) -> tensor<2xi1>
  %a = furcate.constant dense<[12, -1]> : tensor<2xi32>
  %b = furcate.constant dense<[10, 6]> : tensor<2xi32>
  %an = furcate.and %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %o = furcate.or %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  func.return %x, %n, %an, %o : tensor<2xi1>, tensor<2xi1>, tensor<2xi32>, tensor<2xi32>
}
// xor(p, q) and not(p) fold to the same constant, which CSE then shares
// CHECK:      %[[X:.*]] = furcate.constant dense<[false, true]> : tensor<2xi1>
// CHECK-NEXT: %[[AN:.*]] = furcate.constant dense<[8, 6]> : tensor<2xi32>
// CHECK-NEXT: %[[O:.*]] = furcate.constant dense<[14, -1]> : tensor<2xi32>
// CHECK-NEXT: func.return %[[X]], %[[X]], %[[AN]], %[[O]]
