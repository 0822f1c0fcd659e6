// fuse: a convolution with a per-channel bias and relu epilogue is one window fusion
// reading the input, filter and bias.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<1x3x8x8xf32>, %k: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %c = furcate.convolution %x, %k {feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 1, 4, 8, 8>} : (tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %a = furcate.add %c, %bb : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %z = furcate.constant dense<0.0> : tensor<f32>
  %zb = furcate.broadcast_in_dim %z {broadcast_dimensions = array<i64>, shape = array<i64: 1, 4, 8, 8>} : (tensor<f32>) -> tensor<1x4x8x8xf32>
  %r = furcate.max %a, %zb : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  func.return %r : tensor<1x4x8x8xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "window" on "default" (%x, %k, %b) : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32> {
// CHECK:        furcate.convolution
// CHECK-NEXT:   furcate.broadcast_in_dim
// CHECK-NEXT:   furcate.add
// CHECK:        furcate.max
// CHECK-NEXT:   furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
