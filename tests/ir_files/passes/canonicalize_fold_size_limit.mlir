// canonicalize: folding stops at INLINE_CONSTANT_LIMIT (16) elements: a 4x4 product
// folds to a literal, a non-splat 17-element one is left as the op.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<16xf32>, tensor<17xf32>) {
  %a = furcate.iota {iota_dimension = 0 : i64} : () -> tensor<16xf32>
  %sq = furcate.mul %a, %a : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %b = furcate.iota {iota_dimension = 0 : i64} : () -> tensor<17xf32>
  %sq2 = furcate.mul %b, %b : (tensor<17xf32>, tensor<17xf32>) -> tensor<17xf32>
  func.return %sq, %sq2 : tensor<16xf32>, tensor<17xf32>
}
// CHECK:      %[[SQ:.*]] = furcate.constant dense<[0.0, 1.0, 4.0, 9.0, {{.*}}, 225.0]> : tensor<16xf32>
// CHECK-NEXT: %[[B:.*]] = furcate.iota {iota_dimension = 0 : i64} : () -> tensor<17xf32>
// CHECK-NEXT: %[[SQ2:.*]] = furcate.mul %[[B]], %[[B]]
// CHECK-NEXT: func.return %[[SQ]], %[[SQ2]]
