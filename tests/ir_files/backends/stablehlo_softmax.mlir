// lower-stablehlo: the softmax fusion flattens to reduce(max) -> broadcast -> subtract ->
// exponential -> reduce(add) -> broadcast -> divide, each reduce with its own init.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %m = furcate.reduce %x {dimensions = array<i64: 1>, kind = "max"} : (tensor<4x32xf32>) -> tensor<4xf32>
  %mb = furcate.broadcast_in_dim %m {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 32>} : (tensor<4xf32>) -> tensor<4x32xf32>
  %d = furcate.sub %x, %mb : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %e = furcate.exp %d : (tensor<4x32xf32>) -> tensor<4x32xf32>
  %s = furcate.reduce %e {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x32xf32>) -> tensor<4xf32>
  %sb = furcate.broadcast_in_dim %s {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 32>} : (tensor<4xf32>) -> tensor<4x32xf32>
  %y = furcate.div %e, %sb : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  func.return %y : tensor<4x32xf32>
}
// CHECK:      %0 = stablehlo.reduce(%arg0 init: %cst) applies stablehlo.maximum across dimensions = [1] : (tensor<4x32xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT: %1 = stablehlo.broadcast_in_dim %0, dims = [0] : (tensor<4xf32>) -> tensor<4x32xf32>
// CHECK-NEXT: %2 = stablehlo.subtract %arg0, %1 : tensor<4x32xf32>
// CHECK-NEXT: %3 = stablehlo.exponential %2 : tensor<4x32xf32>
// CHECK-NEXT: %cst_0 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %4 = stablehlo.reduce(%3 init: %cst_0) applies stablehlo.add across dimensions = [1] : (tensor<4x32xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT: %5 = stablehlo.broadcast_in_dim %4, dims = [0] : (tensor<4xf32>) -> tensor<4x32xf32>
// CHECK-NEXT: %6 = stablehlo.divide %3, %5 : tensor<4x32xf32>
// CHECK-NEXT: return %6 : tensor<4x32xf32>
