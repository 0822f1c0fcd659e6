// default pipeline (canonicalize, fuse): x * 1 and + (-0.0) fold away first, then the
// matmul and its tanh epilogue fuse into one gemm region holding no mul or add.
// RUN: furcate opt %s -p default | filecheck %s

func.func @main(%x: tensor<8x8xf32>, %w: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %one = furcate.constant dense<1.0> : tensor<8x8xf32>
  %xs = furcate.mul %x, %one : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  %d = furcate.dot_general %xs, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  %nz = furcate.constant dense<-0.0> : tensor<8x8xf32>
  %a = furcate.add %d, %nz : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  %t = furcate.tanh %a : (tensor<8x8xf32>) -> tensor<8x8xf32>
  func.return %t : tensor<8x8xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "gemm" on "default" (%x, %w)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.dot_general
// CHECK-NEXT:   furcate.tanh
// CHECK-NEXT:   furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
// CHECK-NOT:  furcate.mul
// CHECK-NOT:  furcate.add
