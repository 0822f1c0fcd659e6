// fuse: an intermediate that the function also returns is yielded as a second result of
// the one pointwise fusion (computed once, not in a second kernel).
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<64xf32>, %y: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %a = furcate.add %x, %y : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %e = furcate.exp %a : (tensor<64xf32>) -> tensor<64xf32>
  %m = furcate.mul %e, %y : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  func.return %e, %m : tensor<64xf32>, tensor<64xf32>
}
// CHECK:      %[[M:.*]], %[[E:.*]] = furcate.fusion "pointwise" on "default" (%x, %y) : (tensor<64xf32>, tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
// CHECK:        %[[EI:.*]] = furcate.exp
// CHECK-NEXT:   %[[MI:.*]] = furcate.mul %[[EI]]
// CHECK-NEXT:   furcate.yield %[[MI]], %[[EI]]
// CHECK:      func.return %[[E]], %[[M]]
// CHECK-NOT:  furcate.fusion
