// fuse: an f16 chain with up/down converts (compute in f32) is one pointwise region.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<16x64xf16>, %y: tensor<16x64xf16>) -> tensor<16x64xf16> {
  %a = furcate.convert %x : (tensor<16x64xf16>) -> tensor<16x64xf32>
  %b = furcate.convert %y : (tensor<16x64xf16>) -> tensor<16x64xf32>
  %l = furcate.logistic %a : (tensor<16x64xf32>) -> tensor<16x64xf32>
  %m = furcate.mul %l, %b : (tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xf32>
  %o = furcate.convert %m : (tensor<16x64xf32>) -> tensor<16x64xf16>
  func.return %o : tensor<16x64xf16>
}
// CHECK:      %[[F:.*]] = furcate.fusion "pointwise" on "default" (%x, %y) : (tensor<16x64xf16>, tensor<16x64xf16>) -> tensor<16x64xf16> {
// CHECK:        furcate.convert {{.*}} -> tensor<16x64xf32>
// CHECK-NEXT:   furcate.convert {{.*}} -> tensor<16x64xf32>
// CHECK-NEXT:   furcate.logistic
// CHECK-NEXT:   furcate.mul
// CHECK-NEXT:   furcate.convert {{.*}} -> tensor<16x64xf16>
// CHECK-NEXT:   furcate.yield %{{.*}} : tensor<16x64xf16>
// CHECK:      func.return %[[F]]
// CHECK-NOT:  furcate.fusion
