// lower-stablehlo: layout ops map one for one: broadcast_in_dim, transpose, slice,
// concatenate and pad keep their attributes.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<3xf32>, %y: tensor<3x2xf32>) -> tensor<7x2xf32> {
  %b = furcate.broadcast_in_dim %x {broadcast_dimensions = array<i64: 1>, shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
  %t = furcate.transpose %b {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %s = furcate.slice %y {limit_indices = array<i64: 3, 2>, start_indices = array<i64: 1, 0>, strides = array<i64: 1, 1>} : (tensor<3x2xf32>) -> tensor<2x2xf32>
  %c = furcate.concatenate %t, %s {dimension = 0 : i64} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<5x2xf32>
  %z = furcate.constant dense<0.0> : tensor<f32>
  %p = furcate.pad %c, %z {edge_padding_high = array<i64: 1, 0>, edge_padding_low = array<i64: 1, 0>, interior_padding = array<i64: 0, 0>} : (tensor<5x2xf32>, tensor<f32>) -> tensor<7x2xf32>
  func.return %p : tensor<7x2xf32>
}
// CHECK:      %0 = stablehlo.broadcast_in_dim %arg0, dims = [1] : (tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %1 = stablehlo.transpose %0, dims = [1, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: %2 = stablehlo.slice %arg1 [1:3, 0:2] : (tensor<3x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: %3 = stablehlo.concatenate %1, %2, dim = 0 : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<5x2xf32>
// CHECK-NEXT: %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %4 = stablehlo.pad %3, %cst, low = [1, 0], high = [1, 0], interior = [0, 0] : (tensor<5x2xf32>, tensor<f32>) -> tensor<7x2xf32>
// CHECK-NEXT: return %4 : tensor<7x2xf32>
