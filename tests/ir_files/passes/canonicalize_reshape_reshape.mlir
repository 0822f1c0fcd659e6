// canonicalize: a chain of three reshapes collapses into one reshape of the source; a
// chain that comes back to the source shape disappears entirely.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<2x3x4xf32>) -> (tensor<24xf32>, tensor<2x3x4xf32>) {
  %a = furcate.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %b = furcate.reshape %a {shape = array<i64: 4, 6>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %c = furcate.reshape %b {shape = array<i64: 24>} : (tensor<4x6xf32>) -> tensor<24xf32>
  %d = furcate.reshape %c {shape = array<i64: 2, 3, 4>} : (tensor<24xf32>) -> tensor<2x3x4xf32>
  func.return %c, %d : tensor<24xf32>, tensor<2x3x4xf32>
}
// CHECK:      %[[C:.*]] = furcate.reshape %x {shape = array<i64: 24>} : (tensor<2x3x4xf32>) -> tensor<24xf32>
// CHECK-NEXT: func.return %[[C]], %x
// CHECK-NOT:  furcate.reshape
