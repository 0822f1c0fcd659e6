// fuse: a gemm group holds only an epilogue: an elementwise op on a matmul OPERAND (a
// prologue) is a separate pointwise fusion whose result the gemm reads.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<16x32xf32>, %w: tensor<32x16xf32>) -> tensor<16x16xf32> {
  %e = furcate.exp %x : (tensor<16x32xf32>) -> tensor<16x32xf32>
  %d = furcate.dot_general %e, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<16x32xf32>, tensor<32x16xf32>) -> tensor<16x16xf32>
  %t = furcate.tanh %d : (tensor<16x16xf32>) -> tensor<16x16xf32>
  func.return %t : tensor<16x16xf32>
}
// CHECK:      %[[E:.*]] = furcate.fusion "pointwise" on "default" (%x)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.exp
// CHECK-NEXT:   furcate.yield
// CHECK:      %[[T:.*]] = furcate.fusion "gemm" on "default" (%[[E]], %w)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.dot_general
// CHECK-NEXT:   furcate.tanh
// CHECK-NEXT:   furcate.yield
// CHECK:      func.return %[[T]]
