// fuse: layer_norm as frontends emit it (keepdim reductions reshaped to [rows, 1], scale
// and shift broadcast along rows) is ONE reduction fusion yielding the normalized rows.
// RUN: furcate opt %s -p canonicalize,fuse | filecheck %s

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
// CHECK:      %[[F:.*]] = furcate.fusion "reduction" on "default" (%x, %g, %b) : (tensor<6x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<6x16xf32> {
// CHECK-COUNT-2: furcate.reduce
// CHECK:        furcate.rsqrt
// CHECK:        furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
