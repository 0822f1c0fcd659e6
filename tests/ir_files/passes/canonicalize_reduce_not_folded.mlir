// canonicalize: reductions, dot_general and cumulative are not constant-folded (only
// elementwise and layout ops are): they stay on a constant operand.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<f32>, tensor<2x2xf32>, tensor<4xf32>) {
  %c = furcate.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %s = furcate.reduce %c {dimensions = array<i64: 0>, kind = "sum"} : (tensor<4xf32>) -> tensor<f32>
  %m = furcate.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %d = furcate.dot_general %m, %m {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %k = furcate.cumulative %c {dimension = 0 : i64, kind = "sum", reverse = false} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %s, %d, %k : tensor<f32>, tensor<2x2xf32>, tensor<4xf32>
}
// CHECK:      %[[C:.*]] = furcate.constant dense<[1.0, 2.0, 3.0, 4.0]>
// CHECK-NEXT: %[[S:.*]] = furcate.reduce %[[C]] {dimensions = array<i64: 0>, kind = "sum"}
// CHECK-NEXT: %[[M:.*]] = furcate.constant
// CHECK-NEXT: %[[D:.*]] = furcate.dot_general %[[M]], %[[M]]
// CHECK-NEXT: %[[K:.*]] = furcate.cumulative %[[C]]
// CHECK-NEXT: func.return %[[S]], %[[D]], %[[K]]
