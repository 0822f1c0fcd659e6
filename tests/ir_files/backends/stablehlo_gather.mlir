// lower-stablehlo: furcate.gather on axis 0 reshapes the indices to [4, 1] and becomes a
// stablehlo.gather collapsing dim 0 with slice sizes [1, 16] (StableHLO clamps the starts).
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%t: tensor<10x16xf32>, %i: tensor<4xi32>) -> tensor<4x16xf32> {
  %g = furcate.gather %t, %i {axis = 0 : i64} : (tensor<10x16xf32>, tensor<4xi32>) -> tensor<4x16xf32>
  func.return %g : tensor<4x16xf32>
}
// CHECK:      %0 = stablehlo.reshape %arg1 : (tensor<4xi32>) -> tensor<4x1xi32>
// CHECK-NEXT: %1 = "stablehlo.gather"(%arg0, %0) <{dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, slice_sizes = array<i64: 1, 16>}> : (tensor<10x16xf32>, tensor<4x1xi32>) -> tensor<4x16xf32>
// CHECK-NEXT: return %1 : tensor<4x16xf32>
