// fuse: a cheap producer (neg) is copied into the row-max reduction that reads it in
// place; the column sum reads it transposed (not row-preserving), so for that reader it
// is materialized by a pointwise fusion of its own.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<8x32xf32>) -> (tensor<8xf32>, tensor<32xf32>) {
  %n = furcate.neg %x : (tensor<8x32xf32>) -> tensor<8x32xf32>
  %r = furcate.reduce %n {dimensions = array<i64: 1>, kind = "max"} : (tensor<8x32xf32>) -> tensor<8xf32>
  %t = furcate.transpose %n {permutation = array<i64: 1, 0>} : (tensor<8x32xf32>) -> tensor<32x8xf32>
  %c = furcate.reduce %t {dimensions = array<i64: 1>, kind = "sum"} : (tensor<32x8xf32>) -> tensor<32xf32>
  func.return %r, %c : tensor<8xf32>, tensor<32xf32>
}
// CHECK:      %[[N:.*]] = furcate.fusion "pointwise" on "default" (%x)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.neg
// CHECK-NEXT:   furcate.yield
// CHECK:      %[[R:.*]] = furcate.fusion "reduction" on "default" (%x)
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.neg
// CHECK-NEXT:   furcate.reduce {{.*}}kind = "max"
// CHECK:      %[[C:.*]] = furcate.fusion "reduction" on "default" (%[[N]])
// CHECK-NEXT: ^bb0
// CHECK-NEXT:   furcate.transpose
// CHECK-NEXT:   furcate.reduce {{.*}}kind = "sum"
// CHECK:      func.return %[[R]], %[[C]]
