// canonicalize: small constant expressions fold with the dialect's numerics; large ones
// stay a broadcast of a folded scalar.
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main(%x: tensor<64xf32>) -> (tensor<3x2xf32>, tensor<2xi32>, tensor<2xi8>, tensor<64xf32>, tensor<3xf16>, tensor<4xf32>) {
  %a = furcate.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %at = furcate.transpose %a {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %sq = furcate.mul %at, %at : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  // integer division truncates; x / 0 = -1
  %n = furcate.constant dense<[-7, 7]> : tensor<2xi32>
  %dd = furcate.constant dense<[2, 0]> : tensor<2xi32>
  %q = furcate.div %n, %dd : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  // float -> int converts truncate and saturate, NaN -> 0
  %f = furcate.constant dense<[nan, 1000.0]> : tensor<2xf32>
  %fi = furcate.convert %f : (tensor<2xf32>) -> tensor<2xi8>
  // a splat broadcast to 64 elements stays a broadcast of one folded scalar
  %one = furcate.constant dense<1.5> : tensor<f32>
  %two = furcate.constant dense<2.0> : tensor<f32>
  %b1 = furcate.broadcast_in_dim %one {broadcast_dimensions = array<i64>, shape = array<i64: 64>} : (tensor<f32>) -> tensor<64xf32>
  %b2 = furcate.broadcast_in_dim %two {broadcast_dimensions = array<i64>, shape = array<i64: 64>} : (tensor<f32>) -> tensor<64xf32>
  %big = furcate.mul %b1, %b2 : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %y = furcate.add %x, %big : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  // f16 arithmetic rounds to f16 once
  %h = furcate.constant dense<[1.0, 2048.0, 65504.0]> : tensor<3xf16>
  %h2 = furcate.add %h, %h : (tensor<3xf16>, tensor<3xf16>) -> tensor<3xf16>
  %i = furcate.iota {iota_dimension = 0 : i64} : () -> tensor<4xf32>
  func.return %sq, %q, %fi, %y, %h2, %i : tensor<3x2xf32>, tensor<2xi32>, tensor<2xi8>, tensor<64xf32>, tensor<3xf16>, tensor<4xf32>
}
// CHECK:      %[[SQ:.*]] = furcate.constant dense<{{\[}}[1.0, 16.0], [4.0, 25.0], [9.0, 36.0]]> : tensor<3x2xf32>
// CHECK-NEXT: %[[Q:.*]] = furcate.constant dense<[-3, -1]> : tensor<2xi32>
// CHECK-NEXT: %[[FI:.*]] = furcate.constant dense<[0, 127]> : tensor<2xi8>
// CHECK-NEXT: %[[C:.*]] = furcate.constant dense<3.0> : tensor<f32>
// CHECK-NEXT: %[[B:.*]] = furcate.broadcast_in_dim %[[C]] {broadcast_dimensions = array<i64>, shape = array<i64: 64>}
// CHECK-NEXT: %[[Y:.*]] = furcate.add %x, %[[B]]
// CHECK-NEXT: %[[H:.*]] = furcate.constant dense<[2.0, 4096.0, inf]> : tensor<3xf16>
// CHECK-NEXT: %[[I:.*]] = furcate.constant dense<[0.0, 1.0, 2.0, 3.0]> : tensor<4xf32>
// CHECK-NEXT: func.return %[[SQ]], %[[Q]], %[[FI]], %[[Y]], %[[H]], %[[I]]
