// canonicalize: a pad with all-zero low, high and interior padding is removed; a pad that
// grows the tensor stays with its padding value.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<4x3xf32>) {
  %v = furcate.constant dense<-1.0> : tensor<f32>
  %a = furcate.pad %x, %v {edge_padding_low = array<i64: 0, 0>, edge_padding_high = array<i64: 0, 0>, interior_padding = array<i64: 0, 0>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %b = furcate.pad %a, %v {edge_padding_low = array<i64: 1, 0>, edge_padding_high = array<i64: 1, 0>, interior_padding = array<i64: 0, 0>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  func.return %a, %b : tensor<2x3xf32>, tensor<4x3xf32>
}
// CHECK:      %[[V:.*]] = furcate.constant dense<-1.0> : tensor<f32>
// CHECK-NEXT: %[[B:.*]] = furcate.pad %x, %[[V]] {edge_padding_high = array<i64: 1, 0>, edge_padding_low = array<i64: 1, 0>
// CHECK-NEXT: func.return %x, %[[B]]
