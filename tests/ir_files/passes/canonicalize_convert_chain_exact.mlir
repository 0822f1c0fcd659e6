// canonicalize: bf16 -> f32 -> bf16 is the identity (the widening is exact) and vanishes;
// i8 -> i32 -> f32 is exact in its first step and becomes one i8 -> f32 convert.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<4xbf16>, %i: tensor<4xi8>) -> (tensor<4xbf16>, tensor<4xf32>) {
  %a = furcate.convert %x : (tensor<4xbf16>) -> tensor<4xf32>
  %b = furcate.convert %a : (tensor<4xf32>) -> tensor<4xbf16>
  %c = furcate.convert %i : (tensor<4xi8>) -> tensor<4xi32>
  %e = furcate.convert %c : (tensor<4xi32>) -> tensor<4xf32>
  func.return %b, %e : tensor<4xbf16>, tensor<4xf32>
}
// CHECK-NOT:  tensor<4xi32>
// CHECK:      %[[E:.*]] = furcate.convert %i : (tensor<4xi8>) -> tensor<4xf32>
// CHECK-NEXT: func.return %x, %[[E]]
