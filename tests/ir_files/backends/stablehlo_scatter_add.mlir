// lower-stablehlo: scatter_add on axis 0 reshapes the indices to [6, 1] and becomes a
// stablehlo.scatter with an add region, not marked sorted or unique.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%t: tensor<10x4xf32>, %i: tensor<6xi32>, %u: tensor<6x4xf32>) -> tensor<10x4xf32> {
  %s = furcate.scatter_add %t, %i, %u {axis = 0 : i64} : (tensor<10x4xf32>, tensor<6xi32>, tensor<6x4xf32>) -> tensor<10x4xf32>
  func.return %s : tensor<10x4xf32>
}
// CHECK:      %0 = stablehlo.reshape %arg1 : (tensor<6xi32>) -> tensor<6x1xi32>
// CHECK-NEXT: %1 = "stablehlo.scatter"(%arg0, %0, %arg2) <{indices_are_sorted = false, scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>, unique_indices = false}> ({
// CHECK:        %2 = stablehlo.add %arg3, %arg4 : tensor<f32>
// CHECK:      return %1 : tensor<10x4xf32>
