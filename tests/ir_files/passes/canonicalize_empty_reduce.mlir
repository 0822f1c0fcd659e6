// canonicalize: a reduction over zero-size rows is the kind's identity everywhere: sum 0,
// prod 1, max -inf (float), min INT_MAX (i32).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<3x0xf32>, %i: tensor<2x0xi32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xi32>) {
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<3x0xf32>) -> tensor<3xf32>
  %p = furcate.reduce %x {dimensions = array<i64: 1>, kind = "prod"} : (tensor<3x0xf32>) -> tensor<3xf32>
  %m = furcate.reduce %x {dimensions = array<i64: 1>, kind = "max"} : (tensor<3x0xf32>) -> tensor<3xf32>
  %n = furcate.reduce %i {dimensions = array<i64: 1>, kind = "min"} : (tensor<2x0xi32>) -> tensor<2xi32>
  func.return %s, %p, %m, %n : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xi32>
}
// CHECK-NOT:  furcate.reduce
// CHECK:      %[[S:.*]] = furcate.constant dense<0.0> : tensor<3xf32>
// CHECK-NEXT: %[[P:.*]] = furcate.constant dense<1.0> : tensor<3xf32>
// CHECK-NEXT: %[[M:.*]] = furcate.constant dense<-inf> : tensor<3xf32>
// CHECK-NEXT: %[[N:.*]] = furcate.constant dense<2147483647> : tensor<2xi32>
// CHECK-NEXT: func.return %[[S]], %[[P]], %[[M]], %[[N]]
