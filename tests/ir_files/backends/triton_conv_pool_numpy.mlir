// emit-triton: convolution and reduce_window (pooling) are not compiled by the Triton
// backend: both are NumPy steps and no kernel is emitted.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %y = furcate.convolution %x, %w {feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32>
  %p = furcate.reduce_window %y {kind = "max", padding = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, window_dilations = array<i64: 1, 1, 1, 1>, window_dimensions = array<i64: 1, 1, 2, 2>, window_strides = array<i64: 1, 1, 2, 2>} : (tensor<1x6x8x8xf32>) -> tensor<1x6x4x4xf32>
  func.return %p : tensor<1x6x4x4xf32>
}
// CHECK:      # numpy step: furcate.convolution
// CHECK:      # numpy step: furcate.reduce_window
// CHECK-NOT:  @triton.jit
