// fuse: an expensive producer read by two groups is computed once (an output of one
// group, read by the other), never copied; a cheap producer (neg) is copied into both.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<64xf32>, %y: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %e = furcate.exp %x : (tensor<64xf32>) -> tensor<64xf32>
  %n = furcate.neg %y : (tensor<64xf32>) -> tensor<64xf32>
  %a = furcate.add %e, %n : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %r = furcate.reduce %e {dimensions = array<i64: 0>, kind = "sum"} : (tensor<64xf32>) -> tensor<f32>
  %rb = furcate.broadcast_in_dim %r {broadcast_dimensions = array<i64>, shape = array<i64: 64>} : (tensor<f32>) -> tensor<64xf32>
  %m = furcate.mul %rb, %n : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  func.return %a, %m : tensor<64xf32>, tensor<64xf32>
}
// CHECK:      %[[A:.*]], %[[E:.*]] = furcate.fusion "pointwise" on "default" (%x, %y)
// CHECK:        furcate.exp
// CHECK-NEXT:   furcate.neg
// CHECK-NEXT:   furcate.add
// CHECK-NEXT:   furcate.yield
// CHECK:      %[[M:.*]] = furcate.fusion "reduction" on "default" (%y, %[[E]])
// CHECK-NOT:    furcate.exp
// CHECK:        furcate.neg
// CHECK-NEXT:   furcate.reduce
// CHECK:      func.return %[[A]], %[[M]]
