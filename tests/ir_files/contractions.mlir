// dot_general, convolution, gather and scatter round-trip unchanged and survive canonicalize.
// RUN: furcate opt %s | furcate opt - -p canonicalize | filecheck %s

// CHECK:      %4 = furcate.dot_general %0, %1 {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
// CHECK-NEXT: %5 = furcate.convolution %2, %3 {feature_group_count = 2 : i64, lhs_dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x5x5xf32>
// CHECK-NEXT: %6 = furcate.constant dense<{{\[\[}}0, 4], [-1, 7]]> : tensor<2x2xi32>
// CHECK-NEXT: %7 = furcate.gather %0, %6 {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x2xi32>) -> tensor<2x2x2x4xf32>
// CHECK-NEXT: %8 = furcate.{{iota|constant}} {{.*}}tensor<2x3x2xi64>
// CHECK-NEXT: %9 = furcate.gather_along %0, %8 {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<2x3x2xi64>) -> tensor<2x3x2xf32>
// CHECK-NEXT: %10 = furcate.scatter_add_along %0, %8, %9 {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<2x3x2xi64>, tensor<2x3x2xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: %11 = furcate.scatter_add %10, %6, %7 {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x2xi32>, tensor<2x2x2x4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: func.return %4, %5, %11

builtin.module {
  func.func @main(%0: tensor<2x3x4xf32>, %1: tensor<2x4x5xf32>, %2: tensor<1x4x5x5xf32>, %3: tensor<6x2x3x3xf32>) -> (tensor<2x3x5xf32>, tensor<1x6x5x5xf32>, tensor<2x3x4xf32>) {
    %4 = furcate.dot_general %0, %1 {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    %5 = furcate.convolution %2, %3 {feature_group_count = 2 : i64, lhs_dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x5x5xf32>
    %6 = furcate.constant dense<[[0, 4], [-1, 7]]> : tensor<2x2xi32>
    %7 = furcate.gather %0, %6 {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x2xi32>) -> tensor<2x2x2x4xf32>
    %8 = furcate.iota {iota_dimension = 1 : i64} : () -> tensor<2x3x2xi64>
    %9 = furcate.gather_along %0, %8 {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<2x3x2xi64>) -> tensor<2x3x2xf32>
    %10 = furcate.scatter_add_along %0, %8, %9 {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<2x3x2xi64>, tensor<2x3x2xf32>) -> tensor<2x3x4xf32>
    %11 = furcate.scatter_add %10, %6, %7 {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x2xi32>, tensor<2x2x2x4xf32>) -> tensor<2x3x4xf32>
    func.return %4, %5, %11 : tensor<2x3x5xf32>, tensor<1x6x5x5xf32>, tensor<2x3x4xf32>
  }
}
