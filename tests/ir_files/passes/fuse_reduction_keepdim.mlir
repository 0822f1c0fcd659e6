// fuse: a mean with a keepdim [rows, 1] result (reshape after the reduce) and its use
// (x - mean) stay in one reduction region: the reshape keeps rows.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<8x32xf32>) -> tensor<8xf32>
  %k = furcate.reshape %s {shape = array<i64: 8, 1>} : (tensor<8xf32>) -> tensor<8x1xf32>
  %n = furcate.constant dense<32.0> : tensor<8x1xf32>
  %m = furcate.div %k, %n : (tensor<8x1xf32>, tensor<8x1xf32>) -> tensor<8x1xf32>
  %mb = furcate.broadcast_in_dim %m {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 8, 32>} : (tensor<8x1xf32>) -> tensor<8x32xf32>
  %y = furcate.sub %x, %mb : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  func.return %y : tensor<8x32xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "reduction" on "default" (%x) : (tensor<8x32xf32>) -> tensor<8x32xf32> {
// CHECK:        furcate.reduce
// CHECK-NEXT:   furcate.reshape {{.*}} -> tensor<8x1xf32>
// CHECK:        furcate.div
// CHECK-NEXT:   furcate.broadcast_in_dim
// CHECK-NEXT:   furcate.sub
// CHECK-NEXT:   furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
// CHECK-NOT:  furcate.fusion
