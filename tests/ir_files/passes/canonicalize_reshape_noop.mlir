// canonicalize: a reshape to the operand's own shape is removed; a real reshape stays.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<3x2xf32>) {
  %a = furcate.reshape %x {shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %b = furcate.reshape %a {shape = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  func.return %a, %b : tensor<2x3xf32>, tensor<3x2xf32>
}
// CHECK:      %[[B:.*]] = furcate.reshape %x {shape = array<i64: 3, 2>}
// CHECK-NEXT: func.return %x, %[[B]]
