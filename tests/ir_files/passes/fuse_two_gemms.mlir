// fuse: two chained matmuls (an MLP: x*w1 -> relu -> *w2) are two gemm fusions; the relu
// is the first one's epilogue, never a prologue of the second.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<32x16xf32>) -> tensor<8x16xf32> {
  %h = furcate.dot_general %x, %w1 {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %z = furcate.constant dense<0.0> : tensor<8x32xf32>
  %r = furcate.max %h, %z : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  %o = furcate.dot_general %r, %w2 {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xf32>, tensor<32x16xf32>) -> tensor<8x16xf32>
  func.return %o : tensor<8x16xf32>
}
// CHECK:      %[[R:.*]] = furcate.fusion "gemm" on "default" (%x, %w1)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.dot_general
// CHECK-NEXT:   furcate.constant
// CHECK-NEXT:   furcate.max
// CHECK-NEXT:   furcate.yield
// CHECK:      %[[O:.*]] = furcate.fusion "gemm" on "default" (%[[R]], %w2)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.dot_general
// CHECK-NEXT:   furcate.yield
// CHECK:      func.return %[[O]]
