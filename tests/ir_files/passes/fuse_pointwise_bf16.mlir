// fuse: a bf16 chain (abs, max, sqrt) fuses into one pointwise region typed bf16 end to end.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<256xbf16>, %y: tensor<256xbf16>) -> tensor<256xbf16> {
  %a = furcate.abs %x : (tensor<256xbf16>) -> tensor<256xbf16>
  %m = furcate.max %a, %y : (tensor<256xbf16>, tensor<256xbf16>) -> tensor<256xbf16>
  %s = furcate.sqrt %m : (tensor<256xbf16>) -> tensor<256xbf16>
  func.return %s : tensor<256xbf16>
}
// CHECK:      %[[F:.*]] = furcate.fusion "pointwise" on "default" (%x, %y) : (tensor<256xbf16>, tensor<256xbf16>) -> tensor<256xbf16> {
// CHECK:        furcate.abs
// CHECK-NEXT:   furcate.max
// CHECK-NEXT:   furcate.sqrt
// CHECK-NEXT:   furcate.yield %{{.*}} : tensor<256xbf16>
// CHECK:      func.return %[[F]]
// CHECK-NOT:  furcate.fusion
