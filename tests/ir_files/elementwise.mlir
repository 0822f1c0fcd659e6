// Elementwise ops round-trip unchanged, and survive canonicalize when live.
// RUN: furcate opt %s | furcate opt - -p canonicalize | filecheck %s

// CHECK:      func.func @main(%0: tensor<2x3xf32>, %1: tensor<2x3xf32>, %2: tensor<2x3xi32>, %3: tensor<2x3xi1>)
// CHECK-NEXT:   %4 = furcate.tanh %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:   %5 = furcate.round_nearest_afz %4 : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:   %6 = furcate.atan2 %5, %1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:   %7 = furcate.div %2, %2 : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
// CHECK-NEXT:   %8 = furcate.not %3 : (tensor<2x3xi1>) -> tensor<2x3xi1>
// CHECK-NEXT:   %9 = furcate.compare %6, %1 {comparison_direction = "GE"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
// CHECK-NEXT:   %10 = furcate.xor %8, %9 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
// CHECK-NEXT:   %11 = furcate.select %10, %6, %1 : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:   %12 = furcate.clamp %0, %11, %1 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:   %13 = furcate.convert %7 : (tensor<2x3xi32>) -> tensor<2x3xbf16>
// CHECK-NEXT:   %14 = furcate.is_finite %12 : (tensor<2x3xf32>) -> tensor<2x3xi1>
// CHECK-NEXT:   func.return %12, %13, %14 : tensor<2x3xf32>, tensor<2x3xbf16>, tensor<2x3xi1>

builtin.module {
  func.func @main(%0: tensor<2x3xf32>, %1: tensor<2x3xf32>, %2: tensor<2x3xi32>, %3: tensor<2x3xi1>) -> (tensor<2x3xf32>, tensor<2x3xbf16>, tensor<2x3xi1>) {
    %4 = furcate.tanh %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %5 = furcate.round_nearest_afz %4 : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %6 = furcate.atan2 %5, %1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %7 = furcate.div %2, %2 : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
    %8 = furcate.not %3 : (tensor<2x3xi1>) -> tensor<2x3xi1>
    %9 = furcate.compare %6, %1 {comparison_direction = "GE"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
    %10 = furcate.xor %8, %9 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
    %11 = furcate.select %10, %6, %1 : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %12 = furcate.clamp %0, %11, %1 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %13 = furcate.convert %7 : (tensor<2x3xi32>) -> tensor<2x3xbf16>
    %14 = furcate.is_finite %12 : (tensor<2x3xf32>) -> tensor<2x3xi1>
    func.return %12, %13, %14 : tensor<2x3xf32>, tensor<2x3xbf16>, tensor<2x3xi1>
  }
}
