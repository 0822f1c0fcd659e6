// fuse: softmax (max, exp, sum, divide over rows) is ONE reduction fusion.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %m = furcate.reduce %x {dimensions = array<i64: 1>, kind = "max"} : (tensor<4x32xf32>) -> tensor<4xf32>
  %mb = furcate.broadcast_in_dim %m {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 32>} : (tensor<4xf32>) -> tensor<4x32xf32>
  %d = furcate.sub %x, %mb : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %e = furcate.exp %d : (tensor<4x32xf32>) -> tensor<4x32xf32>
  %s = furcate.reduce %e {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x32xf32>) -> tensor<4xf32>
  %sb = furcate.broadcast_in_dim %s {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 32>} : (tensor<4xf32>) -> tensor<4x32xf32>
  %y = furcate.div %e, %sb : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  func.return %y : tensor<4x32xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "reduction" on "default" (%x) : (tensor<4x32xf32>) -> tensor<4x32xf32> {
// CHECK:        furcate.reduce {{.*}}kind = "max"
// CHECK:        furcate.exp
// CHECK:        furcate.reduce {{.*}}kind = "sum"
// CHECK:        furcate.div
// CHECK-NEXT:   furcate.yield %{{.*}} : tensor<4x32xf32>
// CHECK-NEXT: }
// CHECK:      func.return %[[F]]
// CHECK-NOT:  furcate.fusion
