// lower-stablehlo: the layer_norm fusion flattens back to two add-reductions, rsqrt and
// the broadcasts of gamma/beta along dim 1; no furcate op survives.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<6x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<6x16xf32> {
  %n = furcate.constant dense<16.0> : tensor<6x1xf32>
  %eps = furcate.constant dense<0.00001> : tensor<6x1xf32>
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<6x16xf32>) -> tensor<6xf32>
  %sk = furcate.reshape %s {shape = array<i64: 6, 1>} : (tensor<6xf32>) -> tensor<6x1xf32>
  %mean = furcate.div %sk, %n : (tensor<6x1xf32>, tensor<6x1xf32>) -> tensor<6x1xf32>
  %mb = furcate.broadcast_in_dim %mean {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 6, 16>} : (tensor<6x1xf32>) -> tensor<6x16xf32>
  %xc = furcate.sub %x, %mb : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  %sq = furcate.mul %xc, %xc : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  %vs = furcate.reduce %sq {dimensions = array<i64: 1>, kind = "sum"} : (tensor<6x16xf32>) -> tensor<6xf32>
  %vk = furcate.reshape %vs {shape = array<i64: 6, 1>} : (tensor<6xf32>) -> tensor<6x1xf32>
  %var = furcate.div %vk, %n : (tensor<6x1xf32>, tensor<6x1xf32>) -> tensor<6x1xf32>
  %ve = furcate.add %var, %eps : (tensor<6x1xf32>, tensor<6x1xf32>) -> tensor<6x1xf32>
  %r = furcate.rsqrt %ve : (tensor<6x1xf32>) -> tensor<6x1xf32>
  %rb = furcate.broadcast_in_dim %r {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 6, 16>} : (tensor<6x1xf32>) -> tensor<6x16xf32>
  %xn = furcate.mul %xc, %rb : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  %gb = furcate.broadcast_in_dim %g {broadcast_dimensions = array<i64: 1>, shape = array<i64: 6, 16>} : (tensor<16xf32>) -> tensor<6x16xf32>
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 6, 16>} : (tensor<16xf32>) -> tensor<6x16xf32>
  %y0 = furcate.mul %xn, %gb : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  %y = furcate.add %y0, %bb : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  func.return %y : tensor<6x16xf32>
}
// CHECK:      %0 = stablehlo.reduce(%arg0 init: %cst) applies stablehlo.add across dimensions = [1] : (tensor<6x16xf32>, tensor<f32>) -> tensor<6xf32>
// CHECK:      %4 = stablehlo.subtract %arg0, %3 : tensor<6x16xf32>
// CHECK-NEXT: %5 = stablehlo.multiply %4, %4 : tensor<6x16xf32>
// CHECK:      %6 = stablehlo.reduce(%5 init: %cst_1) applies stablehlo.add across dimensions = [1] : (tensor<6x16xf32>, tensor<f32>) -> tensor<6xf32>
// CHECK:      %9 = stablehlo.rsqrt %8 : tensor<6xf32>
// CHECK:      stablehlo.broadcast_in_dim %arg1, dims = [1] : (tensor<16xf32>) -> tensor<6x16xf32>
// CHECK:      stablehlo.broadcast_in_dim %arg2, dims = [1] : (tensor<16xf32>) -> tensor<6x16xf32>
// CHECK:      return %{{[0-9]+}} : tensor<6x16xf32>
// CHECK-NOT:  furcate.
