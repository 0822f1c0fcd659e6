// fuse: an elementwise chain with layout ops becomes one pointwise fusion whose region
// reads the inputs through the broadcast/transpose (index maps, not copies).
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<8x16xf32>, %y: tensor<16x8xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> {
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 16>} : (tensor<16xf32>) -> tensor<8x16xf32>
  %yt = furcate.transpose %y {permutation = array<i64: 1, 0>} : (tensor<16x8xf32>) -> tensor<8x16xf32>
  %0 = furcate.add %x, %bb : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %1 = furcate.tanh %0 : (tensor<8x16xf32>) -> tensor<8x16xf32>
  %2 = furcate.mul %1, %yt : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %3 = furcate.convert %2 : (tensor<8x16xf32>) -> tensor<8x16xf16>
  %4 = furcate.convert %3 : (tensor<8x16xf16>) -> tensor<8x16xf32>
  func.return %4 : tensor<8x16xf32>
}
// CHECK:      func.func @main(%x: tensor<8x16xf32>, %y: tensor<16x8xf32>, %b: tensor<16xf32>)
// CHECK-NEXT:   %[[F:.*]] = furcate.fusion "pointwise" on "default" (%x, %b, %y)
// CHECK:          furcate.broadcast_in_dim
// CHECK:          furcate.transpose
// CHECK:          furcate.add
// CHECK-NEXT:     furcate.tanh
// CHECK-NEXT:     furcate.mul
// CHECK-NEXT:     furcate.convert
// CHECK-NEXT:     furcate.convert
// CHECK-NEXT:     furcate.yield
// CHECK:        func.return %[[F]]
// CHECK-NOT:  furcate.fusion
