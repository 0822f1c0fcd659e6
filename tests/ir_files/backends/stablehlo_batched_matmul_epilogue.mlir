// lower-stablehlo: a batched matmul keeps its batching dims, and a gemm fusion's bias
// epilogue flattens back to broadcast_in_dim + add after the dot_general.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%a: tensor<3x8x32xf32>, %b: tensor<3x32x16xf32>, %c: tensor<16xf32>) -> tensor<3x8x16xf32> {
  %d = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<3x8x32xf32>, tensor<3x32x16xf32>) -> tensor<3x8x16xf32>
  %cb = furcate.broadcast_in_dim %c {broadcast_dimensions = array<i64: 2>, shape = array<i64: 3, 8, 16>} : (tensor<16xf32>) -> tensor<3x8x16xf32>
  %y = furcate.add %d, %cb : (tensor<3x8x16xf32>, tensor<3x8x16xf32>) -> tensor<3x8x16xf32>
  func.return %y : tensor<3x8x16xf32>
}
// CHECK:      %0 = stablehlo.dot_general %arg0, %arg1, batching_dims = [0] x [0], contracting_dims = [2] x [1], precision = [HIGHEST, HIGHEST] : (tensor<3x8x32xf32>, tensor<3x32x16xf32>) -> tensor<3x8x16xf32>
// CHECK-NEXT: %1 = stablehlo.broadcast_in_dim %arg2, dims = [2] : (tensor<16xf32>) -> tensor<3x8x16xf32>
// CHECK-NEXT: %2 = stablehlo.add %0, %1 : tensor<3x8x16xf32>
// CHECK-NEXT: return %2 : tensor<3x8x16xf32>
