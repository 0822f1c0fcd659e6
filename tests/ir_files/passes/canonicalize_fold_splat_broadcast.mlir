// canonicalize: an elementwise op on large splat broadcasts folds to a broadcast of one
// folded scalar: tanh(broadcast(0.0)) + broadcast(2.0) over 4096 elements -> broadcast(2.0).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> tensor<64x64xf32> {
  %z = furcate.constant dense<0.0> : tensor<f32>
  %two = furcate.constant dense<2.0> : tensor<f32>
  %zb = furcate.broadcast_in_dim %z {broadcast_dimensions = array<i64>, shape = array<i64: 64, 64>} : (tensor<f32>) -> tensor<64x64xf32>
  %tb = furcate.broadcast_in_dim %two {broadcast_dimensions = array<i64>, shape = array<i64: 64, 64>} : (tensor<f32>) -> tensor<64x64xf32>
  %t = furcate.tanh %zb : (tensor<64x64xf32>) -> tensor<64x64xf32>
  %s = furcate.add %t, %tb : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
  func.return %s : tensor<64x64xf32>
}
// CHECK-NOT:  furcate.tanh
// CHECK-NOT:  furcate.add
// CHECK:      %[[C:.*]] = furcate.constant dense<2.0> : tensor<f32>
// CHECK-NEXT: %[[B:.*]] = furcate.broadcast_in_dim %[[C]] {broadcast_dimensions = array<i64>, shape = array<i64: 64, 64>}
// CHECK-NEXT: func.return %[[B]]
