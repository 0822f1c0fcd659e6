// fuse: a batched matmul (batch dim 0 on both sides) with a scale epilogue (attention
// scores * 1/sqrt(d)) is one gemm fusion.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%q: tensor<4x16x8xf32>, %k: tensor<4x8x16xf32>) -> tensor<4x16x16xf32> {
  %s = furcate.dot_general %q, %k {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32>
  %c = furcate.constant dense<0.35355339> : tensor<f32>
  %cb = furcate.broadcast_in_dim %c {broadcast_dimensions = array<i64>, shape = array<i64: 4, 16, 16>} : (tensor<f32>) -> tensor<4x16x16xf32>
  %y = furcate.mul %s, %cb : (tensor<4x16x16xf32>, tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  func.return %y : tensor<4x16x16xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "gemm" on "default" (%q, %k) : (tensor<4x16x8xf32>, tensor<4x8x16xf32>) -> tensor<4x16x16xf32> {
// CHECK:        furcate.dot_general {{.*}}lhs_batching_dimensions = array<i64: 0>
// CHECK-NEXT:   furcate.constant
// CHECK-NEXT:   furcate.broadcast_in_dim
// CHECK-NEXT:   furcate.mul
// CHECK-NEXT:   furcate.yield %{{.*}} : tensor<4x16x16xf32>
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
