// emit-c: an f64 mul -> exp -> sub chain is one loop in double precision; f64 uses libm's
// exp (not furcate's f32 fc_expf) and no float rounding appears anywhere.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x8xf64>, %y: tensor<4x8xf64>) -> tensor<4x8xf64> {
  %a = furcate.mul %x, %y : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  %b = furcate.exp %a : (tensor<4x8xf64>) -> tensor<4x8xf64>
  %c = furcate.sub %b, %x : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  func.return %c : tensor<4x8xf64>
}
// CHECK:      static void fc_main_0_k0(const double * restrict b0, const double * restrict b1, double * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 32; i0++) {
// CHECK-NEXT:     const double t0 = b0[i0];
// CHECK-NEXT:     const double t1 = b1[i0];
// CHECK-NEXT:     const double t2 = (t0 * t1);
// CHECK-NEXT:     const double t3 = exp(t2);
// CHECK-NEXT:     const double t4 = (t3 - t0);
// CHECK-NEXT:     b2[i0] = t4;
// CHECK-NOT:  float
// CHECK:      fc_main_0_k0((const double *)p[0], (const double *)p[1], (double *)p[2]);
// CHECK-NOT:  fc_main_0_k1
