// emit-c: float max/min propagate NaN, so they go through the prelude's fc_maxf/fc_minf
// (f32) and fc_maxd/fc_mind (f64) -- never fmaxf/fminf, which drop NaN.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<8xf32>, %y: tensor<8xf32>, %u: tensor<8xf64>, %v: tensor<8xf64>) -> (tensor<8xf32>, tensor<8xf64>) {
  %a = furcate.max %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %b = furcate.min %a, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %c = furcate.max %u, %v : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  %d = furcate.min %c, %v : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  func.return %b, %d : tensor<8xf32>, tensor<8xf64>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * restrict b2) {
// CHECK:          const float t2 = fc_maxf(t0, t1);
// CHECK-NEXT:     const float t3 = fc_minf(t2, t0);
// CHECK:      static void fc_main_0_k1(const double * restrict b0, const double * restrict b1, double * restrict b2) {
// CHECK:          const double t2 = fc_maxd(t0, t1);
// CHECK-NEXT:     const double t3 = fc_mind(t2, t1);
// CHECK-NOT:  fmaxf
// CHECK-NOT:  fminf
