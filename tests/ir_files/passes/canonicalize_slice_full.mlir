// canonicalize: a slice covering the whole tensor with unit strides is removed; a proper
// sub-slice stays.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4x6xf32>) -> (tensor<4x6xf32>, tensor<2x3xf32>) {
  %a = furcate.slice %x {start_indices = array<i64: 0, 0>, limit_indices = array<i64: 4, 6>, strides = array<i64: 1, 1>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
  %b = furcate.slice %a {start_indices = array<i64: 1, 0>, limit_indices = array<i64: 3, 6>, strides = array<i64: 1, 2>} : (tensor<4x6xf32>) -> tensor<2x3xf32>
  func.return %a, %b : tensor<4x6xf32>, tensor<2x3xf32>
}
// CHECK:      %[[B:.*]] = furcate.slice %x {limit_indices = array<i64: 3, 6>, start_indices = array<i64: 1, 0>, strides = array<i64: 1, 2>}
// CHECK-NEXT: func.return %x, %[[B]]
