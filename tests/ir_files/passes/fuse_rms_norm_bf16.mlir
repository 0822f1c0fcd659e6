// fuse: a bf16 RMSNorm that upcasts to f32, normalizes and downcasts is still ONE
// reduction fusion (the converts join the region).
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%xh: tensor<4x64xbf16>) -> tensor<4x64xbf16> {
  %x = furcate.convert %xh : (tensor<4x64xbf16>) -> tensor<4x64xf32>
  %sq = furcate.mul %x, %x : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %s = furcate.reduce %sq {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x64xf32>) -> tensor<4xf32>
  %n = furcate.constant dense<0.015625> : tensor<4xf32>
  %mean = furcate.mul %s, %n : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = furcate.rsqrt %mean : (tensor<4xf32>) -> tensor<4xf32>
  %rb = furcate.broadcast_in_dim %r {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 64>} : (tensor<4xf32>) -> tensor<4x64xf32>
  %y = furcate.mul %x, %rb : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %o = furcate.convert %y : (tensor<4x64xf32>) -> tensor<4x64xbf16>
  func.return %o : tensor<4x64xbf16>
}
// CHECK:      %[[F:.*]] = furcate.fusion "reduction" on "default" (%xh) : (tensor<4x64xbf16>) -> tensor<4x64xbf16> {
// CHECK:        furcate.convert {{.*}} -> tensor<4x64xf32>
// CHECK:        furcate.reduce {{.*}}kind = "sum"
// CHECK:        furcate.rsqrt
// CHECK:        furcate.convert {{.*}} -> tensor<4x64xbf16>
// CHECK-NEXT:   furcate.yield %{{.*}} : tensor<4x64xbf16>
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
// CHECK-NOT:  furcate.fusion
