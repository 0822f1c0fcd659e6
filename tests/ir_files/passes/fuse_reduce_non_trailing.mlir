// fuse: a reduce over a leading dim (a column sum) anchors no reduction group by default;
// it stays a top-level op while the pointwise producer still fuses on its own.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<32x8xf32>) -> tensor<8xf32> {
  %e = furcate.exp %x : (tensor<32x8xf32>) -> tensor<32x8xf32>
  %s = furcate.reduce %e {dimensions = array<i64: 0>, kind = "sum"} : (tensor<32x8xf32>) -> tensor<8xf32>
  func.return %s : tensor<8xf32>
}
// CHECK:      %[[E:.*]] = furcate.fusion "pointwise" on "default" (%x)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.exp
// CHECK-NEXT:   furcate.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[S:.*]] = furcate.reduce %[[E]] {dimensions = array<i64: 0>, kind = "sum"}
// CHECK-NEXT: func.return %[[S]]
