// fuse: small constants and iotas used by a pointwise chain are copied into the region
// (not region inputs), so the fusion reads only %x.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c = furcate.constant dense<0.5> : tensor<8xf32>
  %i = furcate.iota {iota_dimension = 0 : i64} : () -> tensor<8xf32>
  %a = furcate.mul %x, %c : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %b = furcate.add %a, %i : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %t = furcate.tanh %b : (tensor<8xf32>) -> tensor<8xf32>
  func.return %t : tensor<8xf32>
}
// CHECK:      func.func @main
// CHECK-NEXT:   %[[F:.*]] = furcate.fusion "pointwise" on "default" (%x) : (tensor<8xf32>) -> tensor<8xf32> {
// CHECK-NEXT:   ^bb0(%{{.*}}: tensor<8xf32>):
// CHECK-NEXT:     furcate.constant dense<0.5>
// CHECK-NEXT:     furcate.iota
// CHECK-NEXT:     furcate.mul
// CHECK-NEXT:     furcate.add
// CHECK-NEXT:     furcate.tanh
// CHECK-NEXT:     furcate.yield
// CHECK-NEXT:   }
// CHECK-NEXT:   func.return %[[F]]
