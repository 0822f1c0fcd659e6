// fuse: softmax over the last dim of a [2, 4, 16] attention-score tensor (rows = 2x4) is
// one reduction fusion holding both reductions and the normalization.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %m = furcate.reduce %x {dimensions = array<i64: 2>, kind = "max"} : (tensor<2x4x16xf32>) -> tensor<2x4xf32>
  %mb = furcate.broadcast_in_dim %m {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 2, 4, 16>} : (tensor<2x4xf32>) -> tensor<2x4x16xf32>
  %d = furcate.sub %x, %mb : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %e = furcate.exp %d : (tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %s = furcate.reduce %e {dimensions = array<i64: 2>, kind = "sum"} : (tensor<2x4x16xf32>) -> tensor<2x4xf32>
  %sb = furcate.broadcast_in_dim %s {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 2, 4, 16>} : (tensor<2x4xf32>) -> tensor<2x4x16xf32>
  %y = furcate.div %e, %sb : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  func.return %y : tensor<2x4x16xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "reduction" on "default" (%x) : (tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
// CHECK:        furcate.reduce {{.*}}dimensions = array<i64: 2>, kind = "max"
// CHECK:        furcate.exp
// CHECK-NEXT:   furcate.reduce {{.*}}dimensions = array<i64: 2>, kind = "sum"
// CHECK:        furcate.div
// CHECK-NEXT:   furcate.yield %{{.*}} : tensor<2x4x16xf32>
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
// CHECK-NOT:  furcate.fusion
