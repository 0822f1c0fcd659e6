// Layout ops round-trip unchanged.
// RUN: furcate opt %s | furcate opt - | filecheck %s

// CHECK:      %1 = furcate.broadcast_in_dim %0 {broadcast_dimensions = array<i64: 1>, shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %2 = furcate.transpose %1 {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: %3 = furcate.reshape %2 {shape = array<i64: 6>} : (tensor<3x2xf32>) -> tensor<6xf32>
// CHECK-NEXT: %4 = furcate.slice %3 {limit_indices = array<i64: 6>, start_indices = array<i64: 1>, strides = array<i64: 2>} : (tensor<6xf32>) -> tensor<3xf32>
// CHECK-NEXT: %5 = furcate.concatenate %4, %0, %4 {dimension = 0 : i64} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<9xf32>
// CHECK-NEXT: %6 = furcate.constant dense<-inf> : tensor<f32>
// CHECK-NEXT: %7 = furcate.pad %5, %6 {edge_padding_high = array<i64: -1>, edge_padding_low = array<i64: 2>, interior_padding = array<i64: 1>} : (tensor<9xf32>, tensor<f32>) -> tensor<18xf32>
// CHECK-NEXT: %8 = furcate.iota {iota_dimension = 0 : i64} : () -> tensor<18xi64>
// CHECK-NEXT: func.return %7, %8 : tensor<18xf32>, tensor<18xi64>

builtin.module {
  func.func @main(%0: tensor<3xf32>) -> (tensor<18xf32>, tensor<18xi64>) {
    %1 = furcate.broadcast_in_dim %0 {broadcast_dimensions = array<i64: 1>, shape = array<i64: 2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
    %2 = furcate.transpose %1 {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %3 = furcate.reshape %2 {shape = array<i64: 6>} : (tensor<3x2xf32>) -> tensor<6xf32>
    %4 = furcate.slice %3 {limit_indices = array<i64: 6>, start_indices = array<i64: 1>, strides = array<i64: 2>} : (tensor<6xf32>) -> tensor<3xf32>
    %5 = furcate.concatenate %4, %0, %4 {dimension = 0 : i64} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<9xf32>
    %6 = furcate.constant dense<-inf> : tensor<f32>
    %7 = furcate.pad %5, %6 {edge_padding_high = array<i64: -1>, edge_padding_low = array<i64: 2>, interior_padding = array<i64: 1>} : (tensor<9xf32>, tensor<f32>) -> tensor<18xf32>
    %8 = furcate.iota {iota_dimension = 0 : i64} : () -> tensor<18xi64>
    func.return %7, %8 : tensor<18xf32>, tensor<18xi64>
  }
}
