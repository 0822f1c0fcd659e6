// fuse: a furcate.transfer never joins a fusion: the ops before and after it form two
// separate pointwise fusions with the transfer between them.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<64xf32>) -> tensor<64xf32> {
  %a = furcate.exp %x attributes {device = "cpu"} : (tensor<64xf32>) -> tensor<64xf32>
  %t = furcate.transfer %a {dst = "gpu:0", src = "cpu"} : (tensor<64xf32>) -> tensor<64xf32>
  %b = furcate.tanh %t attributes {device = "gpu:0"} : (tensor<64xf32>) -> tensor<64xf32>
  func.return %b : tensor<64xf32>
}
// CHECK:      %[[A:.*]] = furcate.fusion "pointwise" on "cpu" (%x)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.exp
// CHECK-NEXT:   furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[T:.*]] = furcate.transfer %[[A]] {dst = "gpu:0", src = "cpu"}
// CHECK-NEXT: %[[B:.*]] = furcate.fusion "pointwise" on "gpu:0" (%[[T]])
// CHECK:        furcate.tanh
// CHECK:      func.return %[[B]]
