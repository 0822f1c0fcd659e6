// fuse: a softmax whose normalizing divide is placed on another device splits there: the
// reductions form a "cpu" reduction group, the divide a "gpu:0" pointwise group.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %m = furcate.reduce %x {dimensions = array<i64: 1>, kind = "max"} attributes {device = "cpu"} : (tensor<4x32xf32>) -> tensor<4xf32>
  %mb = furcate.broadcast_in_dim %m {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 32>} : (tensor<4xf32>) -> tensor<4x32xf32>
  %d = furcate.sub %x, %mb attributes {device = "cpu"} : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %e = furcate.exp %d attributes {device = "cpu"} : (tensor<4x32xf32>) -> tensor<4x32xf32>
  %s = furcate.reduce %e {dimensions = array<i64: 1>, kind = "sum"} attributes {device = "cpu"} : (tensor<4x32xf32>) -> tensor<4xf32>
  %sb = furcate.broadcast_in_dim %s {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 32>} : (tensor<4xf32>) -> tensor<4x32xf32>
  %y = furcate.div %e, %sb attributes {device = "gpu:0"} : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  func.return %y : tensor<4x32xf32>
}
// CHECK:      %[[S:.*]], %[[E:.*]] = furcate.fusion "reduction" on "cpu" (%x)
// CHECK:        furcate.reduce {{.*}}kind = "max"
// CHECK:        furcate.exp
// CHECK-NEXT:   furcate.reduce {{.*}}kind = "sum"
// CHECK-NEXT:   furcate.yield
// CHECK:      %[[Y:.*]] = furcate.fusion "pointwise" on "gpu:0" (%[[E]], %[[S]])
// CHECK-NOT:    furcate.reduce
// CHECK:        furcate.div
// CHECK:      func.return %[[Y]]
