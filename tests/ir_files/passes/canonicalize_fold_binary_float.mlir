// canonicalize: binary float ops on inline constants fold with IEEE semantics: max/min
// propagate NaN, 1/0 is inf, pow and atan2 are evaluated too.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %a = furcate.constant dense<[1.0, nan, -2.0]> : tensor<3xf32>
  %b = furcate.constant dense<[3.0, 0.0, -0.0]> : tensor<3xf32>
  %mx = furcate.max %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %mn = furcate.min %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %dv = furcate.div %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %two = furcate.constant dense<[2.0, 2.0, 2.0]> : tensor<3xf32>
  %pw = furcate.pow %b, %two : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %mx, %mn, %dv, %pw : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}
// CHECK-NOT:  furcate.max
// CHECK-NOT:  furcate.min
// CHECK:      %[[MX:.*]] = furcate.constant dense<[3.0, nan, -0.0]> : tensor<3xf32>
// CHECK-NEXT: %[[MN:.*]] = furcate.constant dense<[1.0, nan, -2.0]> : tensor<3xf32>
// CHECK-NEXT: %[[DV:.*]] = furcate.constant dense<[0.33333334, nan, inf]> : tensor<3xf32>
// CHECK-NEXT: %[[PW:.*]] = furcate.constant dense<[9.0, 0.0, 0.0]> : tensor<3xf32>
// CHECK-NEXT: func.return %[[MX]], %[[MN]], %[[DV]], %[[PW]]
