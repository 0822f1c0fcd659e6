// canonicalize: a small iota becomes a constant (along a chosen dim, integer dtype); a
// large one stays an iota.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<2x3xi32>, tensor<8x8xi64>) {
  %a = furcate.iota {iota_dimension = 1 : i64} : () -> tensor<2x3xi32>
  %b = furcate.iota {iota_dimension = 0 : i64} : () -> tensor<8x8xi64>
  func.return %a, %b : tensor<2x3xi32>, tensor<8x8xi64>
}
// CHECK:      %[[A:.*]] = furcate.constant dense<{{\[\[}}0, 1, 2], [0, 1, 2]]> : tensor<2x3xi32>
// CHECK-NEXT: %[[B:.*]] = furcate.iota {iota_dimension = 0 : i64} : () -> tensor<8x8xi64>
// CHECK-NEXT: func.return %[[A]], %[[B]]
