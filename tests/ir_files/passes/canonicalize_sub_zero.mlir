// canonicalize: x - (+0.0) is exactly x; x - (-0.0) is not ((-0.0) - (-0.0) = +0.0) and
// stays; 0.0 - x is a negation-like op and stays too.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %pz = furcate.constant dense<0.0> : tensor<4xf32>
  %nz = furcate.constant dense<-0.0> : tensor<4xf32>
  %a = furcate.sub %x, %pz : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = furcate.sub %x, %nz : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c = furcate.sub %pz, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
// CHECK:      %[[PZ:.*]] = furcate.constant dense<0.0> : tensor<4xf32>
// CHECK-NEXT: %[[NZ:.*]] = furcate.constant dense<-0.0> : tensor<4xf32>
// CHECK-NEXT: %[[B:.*]] = furcate.sub %x, %[[NZ]]
// CHECK-NEXT: %[[C:.*]] = furcate.sub %[[PZ]], %x
// CHECK-NEXT: func.return %x, %[[B]], %[[C]]
