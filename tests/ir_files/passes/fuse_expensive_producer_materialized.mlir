// fuse: an expensive producer (tanh) read by a gemm group and by a returned pointwise use
// is computed once: one group yields it and the other reads it as an input.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<16x16xf32>, %w: tensor<16x16xf32>) -> (tensor<16x16xf32>, tensor<16x16xf32>) {
  %t = furcate.tanh %x : (tensor<16x16xf32>) -> tensor<16x16xf32>
  %d = furcate.dot_general %t, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
  %s = furcate.mul %t, %t : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
  func.return %d, %s : tensor<16x16xf32>, tensor<16x16xf32>
}
// CHECK:      %[[S:.*]], %[[T:.*]] = furcate.fusion "pointwise" on "default" (%x)
// CHECK:        %[[TI:.*]] = furcate.tanh
// CHECK-NEXT:   %[[SI:.*]] = furcate.mul %[[TI]], %[[TI]]
// CHECK-NEXT:   furcate.yield %[[SI]], %[[TI]]
// CHECK:      %[[D:.*]] = furcate.fusion "gemm" on "default" (%[[T]], %w)
// CHECK-NOT:    furcate.tanh
// CHECK:        furcate.dot_general
// CHECK-NEXT:   furcate.yield
// CHECK:      func.return %[[D]], %[[S]]
