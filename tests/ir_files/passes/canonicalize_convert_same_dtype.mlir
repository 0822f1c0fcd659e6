// canonicalize: a convert to the operand's own dtype is removed (bf16 and i32 alike).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4xbf16>, %i: tensor<4xi32>) -> (tensor<4xbf16>, tensor<4xi32>) {
  %a = furcate.convert %x : (tensor<4xbf16>) -> tensor<4xbf16>
  %b = furcate.convert %i : (tensor<4xi32>) -> tensor<4xi32>
  func.return %a, %b : tensor<4xbf16>, tensor<4xi32>
}
// CHECK-LABEL: func.func @main
// CHECK-NOT:   furcate.convert
// CHECK:       func.return %x, %i
