// cse merges the duplicate neg (xDSL's CSE also erases the trivially dead tanh); dce
// alone removes the dead op but keeps both copies of the duplicate.
// RUN: furcate opt %s -p cse | filecheck %s
// RUN: furcate opt %s -p dce | filecheck %s --check-prefix=DCE

func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = furcate.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %b = furcate.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %t = furcate.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}
// CHECK:      %[[A:.*]] = furcate.neg %x
// CHECK-NEXT: func.return %[[A]], %[[A]]
// CHECK-NOT:  furcate.tanh

// DCE:      %[[A:.*]] = furcate.neg %x
// DCE-NEXT: %[[B:.*]] = furcate.neg %x
// DCE-NEXT: func.return %[[A]], %[[B]]
// DCE-NOT:  furcate.tanh
