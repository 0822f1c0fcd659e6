// emit-c: min and prod row reductions use their identities as the lane init (INFINITY,
// 1.0) and combine with fc_minf / '*' in the lanes; the final combine of the lanes is a tree for
// min (any order gives the same bits) and lane by lane, in order, for the float product.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x32xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = furcate.reduce %x {dimensions = array<i64: 1>, kind = "min"} : (tensor<4x32xf32>) -> tensor<4xf32>
  %b = furcate.reduce %x {dimensions = array<i64: 1>, kind = "prod"} : (tensor<4x32xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1) {
// CHECK:          for (int l = 0; l < 16; l++) a1[l] = INFINITY;
// CHECK:              a1[l] = fc_minf(a1[l], t0);
// CHECK:          for (int w = 8; w > 0; w >>= 1) for (int l = 0; l < w; l++) a1[l] = fc_minf(a1[l], a1[l + w]);
// CHECK:      static void fc_main_0_k1(const float * restrict b0, float * restrict b1) {
// CHECK:          for (int l = 0; l < 16; l++) a1[l] = 1.0;
// CHECK:              a1[l] = (a1[l] * t0);
// CHECK:          for (int l = 1; l < 16; l++) s1 = (s1 * a1[l]);
// CHECK:        fc_main_0_k0((const float *)p[0], (float *)p[1]);
// CHECK-NEXT:   fc_main_0_k1((const float *)p[0], (float *)p[2]);
