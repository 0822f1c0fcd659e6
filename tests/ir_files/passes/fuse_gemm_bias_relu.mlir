// fuse: a matmul with a bias broadcast and a relu (max with 0) epilogue is one gemm
// fusion reading x, w and b; the zero constant is copied into the region.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<16x32xf32>, %w: tensor<32x64xf32>, %b: tensor<64xf32>) -> tensor<16x64xf32> {
  %d = furcate.dot_general %x, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<16x32xf32>, tensor<32x64xf32>) -> tensor<16x64xf32>
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 16, 64>} : (tensor<64xf32>) -> tensor<16x64xf32>
  %z = furcate.add %d, %bb : (tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xf32>
  %zero = furcate.constant dense<0.0> : tensor<f32>
  %zb = furcate.broadcast_in_dim %zero {broadcast_dimensions = array<i64>, shape = array<i64: 16, 64>} : (tensor<f32>) -> tensor<16x64xf32>
  %r = furcate.max %z, %zb : (tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xf32>
  func.return %r : tensor<16x64xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "gemm" on "default" (%x, %w, %b) : (tensor<16x32xf32>, tensor<32x64xf32>, tensor<64xf32>) -> tensor<16x64xf32> {
// CHECK:        furcate.dot_general
// CHECK-NEXT:   furcate.broadcast_in_dim
// CHECK-NEXT:   furcate.add
// CHECK-NEXT:   furcate.constant dense<0.0>
// CHECK-NEXT:   furcate.broadcast_in_dim
// CHECK-NEXT:   furcate.max
// CHECK-NEXT:   furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
