// fuse: log_softmax (x - max - log(sum(exp(x - max)))) is one reduction fusion: the
// row-level log joins the reduction's region instead of becoming its own kernel.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<8x128xf32>) -> tensor<8x128xf32> {
  %m = furcate.reduce %x {dimensions = array<i64: 1>, kind = "max"} : (tensor<8x128xf32>) -> tensor<8xf32>
  %mb = furcate.broadcast_in_dim %m {broadcast_dimensions = array<i64: 0>, shape = array<i64: 8, 128>} : (tensor<8xf32>) -> tensor<8x128xf32>
  %d = furcate.sub %x, %mb : (tensor<8x128xf32>, tensor<8x128xf32>) -> tensor<8x128xf32>
  %e = furcate.exp %d : (tensor<8x128xf32>) -> tensor<8x128xf32>
  %s = furcate.reduce %e {dimensions = array<i64: 1>, kind = "sum"} : (tensor<8x128xf32>) -> tensor<8xf32>
  %l = furcate.log %s : (tensor<8xf32>) -> tensor<8xf32>
  %lb = furcate.broadcast_in_dim %l {broadcast_dimensions = array<i64: 0>, shape = array<i64: 8, 128>} : (tensor<8xf32>) -> tensor<8x128xf32>
  %y = furcate.sub %d, %lb : (tensor<8x128xf32>, tensor<8x128xf32>) -> tensor<8x128xf32>
  func.return %y : tensor<8x128xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "reduction" on "default" (%x) : (tensor<8x128xf32>) -> tensor<8x128xf32> {
// CHECK:        furcate.reduce {{.*}}kind = "max"
// CHECK:        furcate.exp
// CHECK-NEXT:   furcate.reduce {{.*}}kind = "sum"
// CHECK-NEXT:   furcate.log {{.*}} : (tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT:   furcate.broadcast_in_dim
// CHECK-NEXT:   furcate.sub
// CHECK-NEXT:   furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
// CHECK-NOT:  furcate.fusion
