// canonicalize: exact algebraic identities fold, inexact ones stay.
// RUN: furcate opt %s -p canonicalize | filecheck %s

// CHECK-LABEL: func.func @main
func.func @main(%x: tensor<4xf32>, %i: tensor<4xi32>, %p: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %nz = furcate.constant dense<-0.0> : tensor<4xf32>
  %pz = furcate.constant dense<0.0> : tensor<4xf32>
  %one = furcate.constant dense<1.0> : tensor<4xf32>
  %izero = furcate.constant dense<0> : tensor<4xi32>
  // x + (-0.0) -> x, but x + 0.0 stays (-0.0 + 0.0 is +0.0)
  %a = furcate.add %x, %nz : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = furcate.add %x, %pz : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // x - 0.0 -> x; x * 1 -> x; x / 1 -> x
  %c = furcate.sub %x, %pz : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %d = furcate.mul %one, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %e = furcate.div %x, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // float x * 0 stays (NaN, inf); integer i * 0 -> 0, i + 0 -> i
  %f = furcate.mul %x, %pz : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g = furcate.mul %i, %izero : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %h = furcate.add %izero, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // select(p, x, x) -> x; neg(neg(x)) -> x
  %s = furcate.select %p, %x, %x : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %n1 = furcate.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %n2 = furcate.neg %n1 : (tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b, %c, %d, %e, %g, %h, %s, %n2, %f : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
// CHECK:      %[[PZ:.*]] = furcate.constant dense<0.0> : tensor<4xf32>
// CHECK-NEXT: %[[B:.*]] = furcate.add %x, %[[PZ]]
// CHECK-NEXT: %[[F:.*]] = furcate.mul %x, %[[PZ]]
// CHECK-NEXT: %[[Z:.*]] = furcate.constant dense<0> : tensor<4xi32>
// CHECK-NEXT: func.return %x, %[[B]], %x, %x, %x, %[[Z]], %i, %x, %x, %[[F]]
