// emit-triton: min pads with +inf (f32 bits 2139095040) and combines with _fc_minf; prod
// pads with 1.0 and combines with _fc_mul -- each in its own reduction kernel.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x32xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = furcate.reduce %x {dimensions = array<i64: 1>, kind = "min"} : (tensor<4x32xf32>) -> tensor<4xf32>
  %b = furcate.reduce %x {dimensions = array<i64: 1>, kind = "prod"} : (tensor<4x32xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}
// CHECK:      def fc_main_k0(
// CHECK:        t1 = tl.reduce(tl.where(rmask & cmask, t0, tl.full([], 2139095040, tl.int32).to(tl.float32, bitcast=True)), 1, _fc_fmin)[:, None]
// CHECK:      def fc_main_k1(
// CHECK:        t1 = tl.reduce(tl.where(rmask & cmask, t0, tl.full([], 1.0, tl.float32)), 1, _fc_mul)[:, None]
