// canonicalize: integer add/mul/neg fold with two's-complement wraparound (i8: 127 + 1
// = -128, -(-128) = -128).
// RUN: furcate opt %s -p canonicalize | filecheck %s

func.func @main() -> (tensor<3xi8>, tensor<3xi8>, tensor<3xi8>) {
  %a = furcate.constant dense<[127, -128, 100]> : tensor<3xi8>
  %b = furcate.constant dense<[1, -1, 2]> : tensor<3xi8>
  %s = furcate.add %a, %b : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  %m = furcate.mul %a, %b : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  %n = furcate.neg %a : (tensor<3xi8>) -> tensor<3xi8>
  func.return %s, %m, %n : tensor<3xi8>, tensor<3xi8>, tensor<3xi8>
}
// CHECK:      %[[S:.*]] = furcate.constant dense<[-128, 127, 102]> : tensor<3xi8>
// CHECK-NEXT: %[[M:.*]] = furcate.constant dense<[127, -128, -56]> : tensor<3xi8>
// CHECK-NEXT: %[[N:.*]] = furcate.constant dense<[-127, -128, -100]> : tensor<3xi8>
// CHECK-NEXT: func.return %[[S]], %[[M]], %[[N]]
