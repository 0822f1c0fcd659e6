// fuse: a layer norm (reduction) whose output feeds a top-level op (a non-matmul
// dot_general) and, with that op's result, the residual add. The residual add must not join
// the reduction group together with the normalization: the group would both feed and read
// the dot_general (a cycle; found on a JAX transformer block). The result must verify.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<2x5x8xf32>, %39: tensor<2x5x8xf32>, %p_w1: tensor<8x8xf32>, %p_w2: tensor<8x8xf32>) -> tensor<2x5x8xf32> {
  %40 = furcate.add %x, %39 : (tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %41 = furcate.reduce %40 {dimensions = array<i64: 2>, kind = "sum"} : (tensor<2x5x8xf32>) -> tensor<2x5xf32>
  %42 = furcate.broadcast_in_dim %41 {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 2, 5, 1>} : (tensor<2x5xf32>) -> tensor<2x5x1xf32>
  %43 = furcate.constant dense<8.0> : tensor<2x5x1xf32>
  %44 = furcate.div %42, %43 : (tensor<2x5x1xf32>, tensor<2x5x1xf32>) -> tensor<2x5x1xf32>
  %45 = furcate.broadcast_in_dim %44 {broadcast_dimensions = array<i64: 0, 1, 2>, shape = array<i64: 2, 5, 8>} : (tensor<2x5x1xf32>) -> tensor<2x5x8xf32>
  %46 = furcate.sub %40, %45 : (tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %47 = furcate.mul %46, %46 : (tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %48 = furcate.reduce %47 {dimensions = array<i64: 2>, kind = "sum"} : (tensor<2x5x8xf32>) -> tensor<2x5xf32>
  %49 = furcate.broadcast_in_dim %48 {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 2, 5, 1>} : (tensor<2x5xf32>) -> tensor<2x5x1xf32>
  %50 = furcate.div %49, %43 : (tensor<2x5x1xf32>, tensor<2x5x1xf32>) -> tensor<2x5x1xf32>
  %51 = furcate.constant dense<0.00001> : tensor<2x5x1xf32>
  %52 = furcate.add %50, %51 : (tensor<2x5x1xf32>, tensor<2x5x1xf32>) -> tensor<2x5x1xf32>
  %53 = furcate.rsqrt %52 : (tensor<2x5x1xf32>) -> tensor<2x5x1xf32>
  %54 = furcate.broadcast_in_dim %53 {broadcast_dimensions = array<i64: 0, 1, 2>, shape = array<i64: 2, 5, 8>} : (tensor<2x5x1xf32>) -> tensor<2x5x8xf32>
  %55 = furcate.mul %46, %54 : (tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %56 = furcate.constant dense<0.0> : tensor<f32>
  %57 = furcate.broadcast_in_dim %56 {broadcast_dimensions = array<i64>, shape = array<i64: 2, 5, 8>} : (tensor<f32>) -> tensor<2x5x8xf32>
  %58 = furcate.add %55, %57 : (tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %59 = furcate.dot_general %58, %p_w1 {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x5x8xf32>, tensor<8x8xf32>) -> tensor<2x5x8xf32>
  %60 = furcate.max %59, %57 : (tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %61 = furcate.dot_general %60, %p_w2 {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x5x8xf32>, tensor<8x8xf32>) -> tensor<2x5x8xf32>
  %62 = furcate.add %58, %61 : (tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  func.return %62 : tensor<2x5x8xf32>
}
// CHECK:      furcate.fusion "reduction" on "default" (%x, %{{.*}})
// CHECK:      furcate.dot_general
// CHECK:      furcate.dot_general
// CHECK:      furcate.fusion "pointwise" on "default"
// CHECK:      func.return
