// canonicalize: -(-x) -> x for floats and wrapping integers; an odd chain of three
// negations keeps exactly one neg.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4xf32>, %i: tensor<4xi8>) -> (tensor<4xf32>, tensor<4xi8>) {
  %a1 = furcate.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %a2 = furcate.neg %a1 : (tensor<4xf32>) -> tensor<4xf32>
  %a3 = furcate.neg %a2 : (tensor<4xf32>) -> tensor<4xf32>
  %b1 = furcate.neg %i : (tensor<4xi8>) -> tensor<4xi8>
  %b2 = furcate.neg %b1 : (tensor<4xi8>) -> tensor<4xi8>
  func.return %a3, %b2 : tensor<4xf32>, tensor<4xi8>
}
// CHECK:      %[[N:.*]] = furcate.neg %x : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: func.return %[[N]], %i
// CHECK-NOT:  furcate.neg
