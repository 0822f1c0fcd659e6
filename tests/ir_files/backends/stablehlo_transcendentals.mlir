// lower-stablehlo: exp, log, erf, sin, pow, rsqrt, expm1 and log1p map to their StableHLO
// ops one for one; erf has no StableHLO op and goes through chlo.erf.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<16xf32>, %y: tensor<16xf32>) -> tensor<16xf32> {
  %a = furcate.exp %x : (tensor<16xf32>) -> tensor<16xf32>
  %b = furcate.log %a : (tensor<16xf32>) -> tensor<16xf32>
  %c = furcate.erf %b : (tensor<16xf32>) -> tensor<16xf32>
  %d = furcate.sin %c : (tensor<16xf32>) -> tensor<16xf32>
  %e = furcate.pow %d, %y : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %f = furcate.rsqrt %e : (tensor<16xf32>) -> tensor<16xf32>
  %g = furcate.expm1 %f : (tensor<16xf32>) -> tensor<16xf32>
  %h = furcate.log1p %g : (tensor<16xf32>) -> tensor<16xf32>
  func.return %h : tensor<16xf32>
}
// CHECK:      %0 = stablehlo.exponential %arg0 : tensor<16xf32>
// CHECK-NEXT: %1 = stablehlo.log %0 : tensor<16xf32>
// CHECK-NEXT: %2 = chlo.erf %1 : tensor<16xf32> -> tensor<16xf32>
// CHECK-NEXT: %3 = stablehlo.sine %2 : tensor<16xf32>
// CHECK-NEXT: %4 = stablehlo.power %3, %arg1 : tensor<16xf32>
// CHECK-NEXT: %5 = stablehlo.rsqrt %4 : tensor<16xf32>
// CHECK-NEXT: %6 = stablehlo.exponential_minus_one %5 : tensor<16xf32>
// CHECK-NEXT: %7 = stablehlo.log_plus_one %6 : tensor<16xf32>
// CHECK-NEXT: return %7 : tensor<16xf32>
