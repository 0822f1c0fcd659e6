// fuse: layer_norm exactly as the torch frontend emits it (mean and variance divided as
// [rows] vectors, then reshaped to [rows, 1]; rsqrt(var + eps) at [rows, 1]) is ONE
// reduction fusion: the row epilogue and the normalization join the reduction's group.
// RUN: furcate opt %s -p canonicalize,fuse | filecheck %s

func.func @main(%x: tensor<8x64xf32>, %w: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<8x64xf32> {
  %0 = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<8x64xf32>) -> tensor<8xf32>
  %1 = furcate.constant dense<64.0> : tensor<8xf32>
  %2 = furcate.div %0, %1 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %3 = furcate.reshape %2 {shape = array<i64: 8, 1>} : (tensor<8xf32>) -> tensor<8x1xf32>
  %4 = furcate.broadcast_in_dim %3 {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 8, 64>} : (tensor<8x1xf32>) -> tensor<8x64xf32>
  %5 = furcate.sub %x, %4 : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %6 = furcate.mul %5, %5 : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %7 = furcate.reduce %6 {dimensions = array<i64: 1>, kind = "sum"} : (tensor<8x64xf32>) -> tensor<8xf32>
  %8 = furcate.div %7, %1 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %9 = furcate.reshape %8 {shape = array<i64: 8, 1>} : (tensor<8xf32>) -> tensor<8x1xf32>
  %10 = furcate.constant dense<0.00001> : tensor<8x1xf32>
  %11 = furcate.add %9, %10 : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<8x1xf32>
  %12 = furcate.rsqrt %11 : (tensor<8x1xf32>) -> tensor<8x1xf32>
  %13 = furcate.broadcast_in_dim %12 {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 8, 64>} : (tensor<8x1xf32>) -> tensor<8x64xf32>
  %14 = furcate.mul %5, %13 : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %15 = furcate.broadcast_in_dim %w {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 64>} : (tensor<64xf32>) -> tensor<8x64xf32>
  %16 = furcate.mul %14, %15 : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %17 = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 64>} : (tensor<64xf32>) -> tensor<8x64xf32>
  %18 = furcate.add %16, %17 : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  func.return %18 : tensor<8x64xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "reduction" on "default" (%x, %w, %b) : (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32> {
// CHECK-COUNT-2: furcate.reduce
// CHECK:        furcate.rsqrt
// CHECK:        furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
// CHECK-NOT:  furcate.fusion
