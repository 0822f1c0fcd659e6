// fuse: a dot_general with two contracting dims is not in matmul form: it anchors no gemm
// group and stays top-level; its epilogue becomes a pointwise fusion.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<8x4x4xf32>, %w: tensor<4x4x8xf32>) -> tensor<8x8xf32> {
  %d = furcate.dot_general %x, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1, 2>, rhs_contracting_dimensions = array<i64: 0, 1>} : (tensor<8x4x4xf32>, tensor<4x4x8xf32>) -> tensor<8x8xf32>
  %t = furcate.tanh %d : (tensor<8x8xf32>) -> tensor<8x8xf32>
  func.return %t : tensor<8x8xf32>
}
// CHECK-NOT:  "gemm"
// CHECK:      %[[D:.*]] = furcate.dot_general %x, %w {{.*}}lhs_contracting_dimensions = array<i64: 1, 2>
// CHECK-NEXT: %[[T:.*]] = furcate.fusion "pointwise" on "default" (%[[D]])
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.tanh
// CHECK:      func.return %[[T]]
