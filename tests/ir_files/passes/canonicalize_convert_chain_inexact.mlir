// canonicalize: converts through a narrower type round and must stay: f32 -> bf16 -> f32,
// i32 -> f32 -> i32 (f32 cannot hold every i32) and f32 -> i32 -> f32 (truncation).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>, tensor<4xf32>) {
  %a = furcate.convert %x : (tensor<4xf32>) -> tensor<4xbf16>
  %b = furcate.convert %a : (tensor<4xbf16>) -> tensor<4xf32>
  %c = furcate.convert %i : (tensor<4xi32>) -> tensor<4xf32>
  %e = furcate.convert %c : (tensor<4xf32>) -> tensor<4xi32>
  %f = furcate.convert %x : (tensor<4xf32>) -> tensor<4xi32>
  %g = furcate.convert %f : (tensor<4xi32>) -> tensor<4xf32>
  func.return %b, %e, %g : tensor<4xf32>, tensor<4xi32>, tensor<4xf32>
}
// CHECK:      %[[A:.*]] = furcate.convert %x : (tensor<4xf32>) -> tensor<4xbf16>
// CHECK-NEXT: %[[B:.*]] = furcate.convert %[[A]] : (tensor<4xbf16>) -> tensor<4xf32>
// CHECK-NEXT: %[[C:.*]] = furcate.convert %i : (tensor<4xi32>) -> tensor<4xf32>
// CHECK-NEXT: %[[E:.*]] = furcate.convert %[[C]] : (tensor<4xf32>) -> tensor<4xi32>
// CHECK-NEXT: %[[F:.*]] = furcate.convert %x : (tensor<4xf32>) -> tensor<4xi32>
// CHECK-NEXT: %[[G:.*]] = furcate.convert %[[F]] : (tensor<4xi32>) -> tensor<4xf32>
// CHECK-NEXT: func.return %[[B]], %[[E]], %[[G]]
