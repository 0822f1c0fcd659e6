// fuse: RMSNorm (x * rsqrt(mean(x^2) + eps) * w) is one reduction fusion reading x and w.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<4x64xf32>, %w: tensor<64xf32>) -> tensor<4x64xf32> {
  %sq = furcate.mul %x, %x : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %s = furcate.reduce %sq {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x64xf32>) -> tensor<4xf32>
  %n = furcate.constant dense<64.0> : tensor<4xf32>
  %mean = furcate.div %s, %n : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %eps = furcate.constant dense<0.000001> : tensor<4xf32>
  %v = furcate.add %mean, %eps : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = furcate.rsqrt %v : (tensor<4xf32>) -> tensor<4xf32>
  %rb = furcate.broadcast_in_dim %r {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 64>} : (tensor<4xf32>) -> tensor<4x64xf32>
  %y = furcate.mul %x, %rb : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %wb = furcate.broadcast_in_dim %w {broadcast_dimensions = array<i64: 1>, shape = array<i64: 4, 64>} : (tensor<64xf32>) -> tensor<4x64xf32>
  %o = furcate.mul %y, %wb : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  func.return %o : tensor<4x64xf32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "reduction" on "default" (%x, %w) : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xf32> {
// CHECK:        furcate.mul
// CHECK-NEXT:   furcate.reduce {{.*}}kind = "sum"
// CHECK:        furcate.rsqrt {{.*}} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK:        furcate.mul
// CHECK:        furcate.mul
// CHECK-NEXT:   furcate.yield %{{.*}} : tensor<4x64xf32>
// CHECK-NEXT: }
// CHECK-NEXT: func.return %[[F]]
// CHECK-NOT:  furcate.fusion
