// fuse: a window group reads its operands from memory as they are: a relu on the conv's
// input is a separate pointwise fusion, the conv's epilogue joins the window fusion.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<1x2x6x6xf32>, %k: tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32> {
  %z = furcate.constant dense<0.0> : tensor<f32>
  %zb = furcate.broadcast_in_dim %z {broadcast_dimensions = array<i64>, shape = array<i64: 1, 2, 6, 6>} : (tensor<f32>) -> tensor<1x2x6x6xf32>
  %r = furcate.max %x, %zb : (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %c = furcate.convolution %r, %k {feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 1>} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x4x4xf32>
  %t = furcate.tanh %c : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  func.return %t : tensor<1x2x4x4xf32>
}
// CHECK:      %[[R:.*]] = furcate.fusion "pointwise" on "default" (%x)
// CHECK:        furcate.max
// CHECK-NEXT:   furcate.yield
// CHECK:      %[[T:.*]] = furcate.fusion "window" on "default" (%[[R]], %k)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.convolution
// CHECK-NEXT:   furcate.tanh
// CHECK-NEXT:   furcate.yield
// CHECK:      func.return %[[T]]
