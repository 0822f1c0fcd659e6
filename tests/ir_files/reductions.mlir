// Reductions, scans and pooling round-trip unchanged and survive canonicalize.
// RUN: furcate opt %s | furcate opt - -p canonicalize | filecheck %s

// CHECK:      %1 = furcate.reduce %0 {dimensions = array<i64: 1, 3>, kind = "max"} : (tensor<1x2x4x4xf32>) -> tensor<1x4xf32>
// CHECK-NEXT: %2 = furcate.argmax %0 {dimension = 2 : i64, index_dtype = "i64"} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4xi64>
// CHECK-NEXT: %3 = furcate.argmin %0 {dimension = 3 : i64, index_dtype = "i32"} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4xi32>
// CHECK-NEXT: %4 = furcate.cumulative %0 {dimension = 3 : i64, kind = "prod", reverse = true} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT: %5 = furcate.reduce_window %4 {kind = "sum", padding = array<i64: 0, 0, 0, 0, 1, 1, 1, 1>, window_dilations = array<i64: 1, 1, 1, 1>, window_dimensions = array<i64: 1, 1, 3, 3>, window_strides = array<i64: 1, 1, 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT: func.return %1, %2, %3, %5

builtin.module {
  func.func @main(%0: tensor<1x2x4x4xf32>) -> (tensor<1x4xf32>, tensor<1x2x4xi64>, tensor<1x2x4xi32>, tensor<1x2x2x2xf32>) {
    %1 = furcate.reduce %0 {dimensions = array<i64: 1, 3>, kind = "max"} : (tensor<1x2x4x4xf32>) -> tensor<1x4xf32>
    %2 = furcate.argmax %0 {dimension = 2 : i64, index_dtype = "i64"} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4xi64>
    %3 = furcate.argmin %0 {dimension = 3 : i64, index_dtype = "i32"} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4xi32>
    %4 = furcate.cumulative %0 {dimension = 3 : i64, kind = "prod", reverse = true} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
    %5 = furcate.reduce_window %4 {kind = "sum", padding = array<i64: 0, 0, 0, 0, 1, 1, 1, 1>, window_dilations = array<i64: 1, 1, 1, 1>, window_dimensions = array<i64: 1, 1, 3, 3>, window_strides = array<i64: 1, 1, 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
    func.return %1, %2, %3, %5 : tensor<1x4xf32>, tensor<1x2x4xi64>, tensor<1x2x4xi32>, tensor<1x2x2x2xf32>
  }
}
