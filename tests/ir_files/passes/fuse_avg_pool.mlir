// fuse: an average pool (reduce_window sum, then divide by the window size) is one window
// fusion with the divide as its epilogue.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %s = furcate.reduce_window %x {kind = "sum", padding = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, window_dilations = array<i64: 1, 1, 1, 1>, window_dimensions = array<i64: 1, 1, 2, 2>, window_strides = array<i64: 1, 1, 2, 2>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  %n = furcate.constant dense<4.0> : tensor<f32>
  %nb = furcate.broadcast_in_dim %n {broadcast_dimensions = array<i64>, shape = array<i64: 1, 2, 4, 4>} : (tensor<f32>) -> tensor<1x2x4x4xf32>
  %y = furcate.div %s, %nb : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "window" on "default" (%x) : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
// CHECK:        furcate.reduce_window {{.*}}kind = "sum"
// CHECK:        furcate.div
// CHECK-NEXT:   furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
