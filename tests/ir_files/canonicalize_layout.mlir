// canonicalize: no-op layout ops vanish, chains collapse, converts chain only when exact.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<2x3xf32>, %h: tensor<2x3xf16>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<6xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf16>, tensor<2x3xf32>, tensor<3x2xf32>) {
  %r = furcate.reshape %x {shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %t = furcate.transpose %r {permutation = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %b = furcate.broadcast_in_dim %t {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %s = furcate.slice %b {start_indices = array<i64: 0, 0>, limit_indices = array<i64: 2, 3>, strides = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %zero = furcate.constant dense<0.0> : tensor<f32>
  %p = furcate.pad %s, %zero {edge_padding_low = array<i64: 0, 0>, edge_padding_high = array<i64: 0, 0>, interior_padding = array<i64: 0, 0>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %c = furcate.convert %p : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // a pad that shifts keeps its op
  %shift = furcate.pad %x, %zero {edge_padding_low = array<i64: 0, 1>, edge_padding_high = array<i64: 0, -1>, interior_padding = array<i64: 0, 0>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  // reshape(reshape(x)) -> reshape(x)
  %r1 = furcate.reshape %x {shape = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %r2 = furcate.reshape %r1 {shape = array<i64: 6>} : (tensor<3x2xf32>) -> tensor<6xf32>
  // transpose(transpose(x)) with inverse permutations -> x
  %t1 = furcate.transpose %x {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %t2 = furcate.transpose %t1 {permutation = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  // f32 -> f16 -> f32 rounds: kept; f16 -> f32 -> f16 is exact: removed
  %d1 = furcate.convert %x : (tensor<2x3xf32>) -> tensor<2x3xf16>
  %d2 = furcate.convert %d1 : (tensor<2x3xf16>) -> tensor<2x3xf32>
  %u1 = furcate.convert %h : (tensor<2x3xf16>) -> tensor<2x3xf32>
  %u2 = furcate.convert %u1 : (tensor<2x3xf32>) -> tensor<2x3xf16>
  // f16 -> f32 -> f64 -> f32: the exact steps collapse into one convert
  %w1 = furcate.convert %u1 : (tensor<2x3xf32>) -> tensor<2x3xf64>
  %w2 = furcate.convert %w1 : (tensor<2x3xf64>) -> tensor<2x3xf32>
  func.return %c, %shift, %r2, %t2, %d2, %u2, %w2, %t1 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<6xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf16>, tensor<2x3xf32>, tensor<3x2xf32>
}
// CHECK-NOT:  furcate.slice
// CHECK-NOT:  furcate.broadcast_in_dim
// CHECK:      %[[SHIFT:.*]] = furcate.pad %x
// CHECK-NEXT: %[[R:.*]] = furcate.reshape %x {shape = array<i64: 6>}
// CHECK-NEXT: %[[T1:.*]] = furcate.transpose %x {permutation = array<i64: 1, 0>}
// CHECK-NEXT: %[[D1:.*]] = furcate.convert %x : (tensor<2x3xf32>) -> tensor<2x3xf16>
// CHECK-NEXT: %[[D2:.*]] = furcate.convert %[[D1]] : (tensor<2x3xf16>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[W:.*]] = furcate.convert %h : (tensor<2x3xf16>) -> tensor<2x3xf32>
// CHECK-NEXT: func.return %x, %[[SHIFT]], %[[R]], %x, %[[D2]], %h, %[[W]], %[[T1]]
