// fuse: a cheap producer (neg) read by two reduction groups with different rows (a row
// max and a full sum) is copied into both; nothing yields it and no kernel computes it alone.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<8x32xf32>) -> (tensor<8xf32>, tensor<f32>) {
  %n = furcate.neg %x : (tensor<8x32xf32>) -> tensor<8x32xf32>
  %r = furcate.reduce %n {dimensions = array<i64: 1>, kind = "max"} : (tensor<8x32xf32>) -> tensor<8xf32>
  %t = furcate.reduce %n {dimensions = array<i64: 0, 1>, kind = "sum"} : (tensor<8x32xf32>) -> tensor<f32>
  func.return %r, %t : tensor<8xf32>, tensor<f32>
}
// CHECK-LABEL: func.func @main
// CHECK-NOT:   "pointwise"
// CHECK:       %[[R:.*]] = furcate.fusion "reduction" on "default" (%x) : (tensor<8x32xf32>) -> tensor<8xf32>
// CHECK-NEXT:  ^bb0
// CHECK-NEXT:    furcate.neg
// CHECK-NEXT:    furcate.reduce {{.*}}kind = "max"
// CHECK:       %[[T:.*]] = furcate.fusion "reduction" on "default" (%x) : (tensor<8x32xf32>) -> tensor<f32>
// CHECK-NEXT:  ^bb0
// CHECK-NEXT:    furcate.neg
// CHECK-NEXT:    furcate.reduce {{.*}}kind = "sum"
// CHECK:       func.return %[[R]], %[[T]]
