// fuse: an f16 matmul whose epilogue upcasts to f32 and adds a residual is one gemm
// fusion; the f32 result is its only output.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<16x32xf16>, %w: tensor<32x32xf16>, %r: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %d = furcate.dot_general %x, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<16x32xf16>, tensor<32x32xf16>) -> tensor<16x32xf16>
  %c = furcate.convert %d : (tensor<16x32xf16>) -> tensor<16x32xf32>
  %y = furcate.add %c, %r : (tensor<16x32xf32>, tensor<16x32xf32>) -> tensor<16x32xf32>
  func.return %y : tensor<16x32xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "gemm" on "default" (%x, %w, %r) : (tensor<16x32xf16>, tensor<32x32xf16>, tensor<16x32xf32>) -> tensor<16x32xf32> {
// CHECK:        furcate.dot_general {{.*}} -> tensor<16x32xf16>
// CHECK-NEXT:   furcate.convert {{.*}} -> tensor<16x32xf32>
// CHECK-NEXT:   furcate.add
// CHECK-NEXT:   furcate.yield %{{.*}} : tensor<16x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
