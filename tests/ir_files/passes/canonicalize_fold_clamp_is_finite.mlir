// canonicalize: clamp(min, x, max) and is_finite fold on constants (NaN and inf are not
// finite; clamp of NaN stays NaN).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<4xf32>, tensor<4xi1>) {
  %lo = furcate.constant dense<-1.0> : tensor<4xf32>
  %hi = furcate.constant dense<1.0> : tensor<4xf32>
  %x = furcate.constant dense<[-5.0, 0.5, 5.0, nan]> : tensor<4xf32>
  %c = furcate.clamp %lo, %x, %hi : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %i = furcate.constant dense<[1.0, inf, -inf, nan]> : tensor<4xf32>
  %f = furcate.is_finite %i : (tensor<4xf32>) -> tensor<4xi1>
  func.return %c, %f : tensor<4xf32>, tensor<4xi1>
}
// CHECK:      %[[C:.*]] = furcate.constant dense<[-1.0, 0.5, 1.0, nan]> : tensor<4xf32>
// CHECK-NEXT: %[[F:.*]] = furcate.constant dense<[true, false, false, false]> : tensor<4xi1>
// CHECK-NEXT: func.return %[[C]], %[[F]]
