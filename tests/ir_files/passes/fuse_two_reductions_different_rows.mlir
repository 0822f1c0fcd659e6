// fuse: reductions with different row shapes (a row sum and a sum over the whole
// tensor) cannot share one reduction region.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<8x32xf32>) -> (tensor<8xf32>, tensor<f32>) {
  %e = furcate.exp %x : (tensor<8x32xf32>) -> tensor<8x32xf32>
  %r = furcate.reduce %e {dimensions = array<i64: 1>, kind = "sum"} : (tensor<8x32xf32>) -> tensor<8xf32>
  %t = furcate.reduce %e {dimensions = array<i64: 0, 1>, kind = "sum"} : (tensor<8x32xf32>) -> tensor<f32>
  func.return %r, %t : tensor<8xf32>, tensor<f32>
}
// CHECK:      %[[R:.*]], %[[E:.*]] = furcate.fusion "reduction" on "default" (%x) : (tensor<8x32xf32>) -> (tensor<8xf32>, tensor<8x32xf32>)
// CHECK:        furcate.exp
// CHECK-NEXT:   furcate.reduce {{.*}}dimensions = array<i64: 1>
// CHECK-NEXT:   furcate.yield
// CHECK:      %[[T:.*]] = furcate.fusion "reduction" on "default" (%[[E]]) : (tensor<8x32xf32>) -> tensor<f32>
// CHECK-NOT:    furcate.exp
// CHECK:        furcate.reduce {{.*}}dimensions = array<i64: 0, 1>
// CHECK:      func.return %[[R]], %[[T]]
