// fuse: a matmul with its epilogue (bias broadcast, tanh-GELU, residual add) is ONE gemm
// fusion; the weight transpose is folded into the region as a view of the input.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<8x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>, %res: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %wt = furcate.transpose %w {permutation = array<i64: 1, 0>} : (tensor<64x32xf32>) -> tensor<32x64xf32>
  %h = furcate.dot_general %x, %wt {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xf32>, tensor<32x64xf32>) -> tensor<8x64xf32>
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 64>} : (tensor<64xf32>) -> tensor<8x64xf32>
  %z = furcate.add %h, %bb : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %half = furcate.constant dense<0.5> : tensor<8x64xf32>
  %one = furcate.constant dense<1.0> : tensor<8x64xf32>
  %t = furcate.tanh %z : (tensor<8x64xf32>) -> tensor<8x64xf32>
  %t1 = furcate.add %t, %one : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %zh = furcate.mul %z, %half : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %g = furcate.mul %zh, %t1 : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %y = furcate.add %g, %res : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  func.return %y : tensor<8x64xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "gemm" on "default" (%x, %w, %b, %res) : (tensor<8x32xf32>, tensor<64x32xf32>, tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32> {
// CHECK:        furcate.transpose
// CHECK-NEXT:   furcate.dot_general
// CHECK:        furcate.tanh
// CHECK:        furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
