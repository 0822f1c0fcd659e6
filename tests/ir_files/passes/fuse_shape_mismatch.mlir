// fuse: a pointwise group yields values of one iteration space: the returned [64] neg
// cannot be yielded from the [8, 64] group, so it gets its own [64] fusion (and, being
// cheap, a copy inside the [8, 64] group instead of a read).
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%b: tensor<64xf32>, %x: tensor<8x64xf32>) -> (tensor<64xf32>, tensor<8x64xf32>) {
  %n = furcate.neg %b : (tensor<64xf32>) -> tensor<64xf32>
  %nb = furcate.broadcast_in_dim %n {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 64>} : (tensor<64xf32>) -> tensor<8x64xf32>
  %y = furcate.add %x, %nb : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  func.return %n, %y : tensor<64xf32>, tensor<8x64xf32>
}
// CHECK:      %[[N:.*]] = furcate.fusion "pointwise" on "default" (%b) : (tensor<64xf32>) -> tensor<64xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.neg
// CHECK-NEXT:   furcate.yield
// CHECK:      %[[Y:.*]] = furcate.fusion "pointwise" on "default" (%b, %x) : (tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.neg
// CHECK-NEXT:   furcate.broadcast_in_dim
// CHECK-NEXT:   furcate.add
// CHECK-NEXT:   furcate.yield %{{.*}} : tensor<8x64xf32>
// CHECK:      func.return %[[N]], %[[Y]]
