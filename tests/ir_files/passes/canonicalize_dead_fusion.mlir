// canonicalize: a fusion whose results are unused is dead code (its effects are its
// body's, none), so it goes; the live one stays.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = furcate.fusion "pointwise" on "default" (%x) : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%0: tensor<8xf32>):
    %a_1 = furcate.exp %0 : (tensor<8xf32>) -> tensor<8xf32>
    furcate.yield %a_1 : tensor<8xf32>
  }
  %b = furcate.fusion "pointwise" on "default" (%x) : (tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%0: tensor<8xf32>):
    %b_1 = furcate.tanh %0 : (tensor<8xf32>) -> tensor<8xf32>
    furcate.yield %b_1 : tensor<8xf32>
  }
  func.return %a : tensor<8xf32>
}
// CHECK:      %a = furcate.fusion "pointwise" on "default" (%x)
// CHECK:        furcate.exp
// CHECK-NOT:  furcate.fusion
// CHECK-NOT:  furcate.tanh
// CHECK:      func.return %a
