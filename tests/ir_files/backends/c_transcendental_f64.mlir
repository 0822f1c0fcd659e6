// emit-c: in f64 the same chain maps to libm (exp, log, erf, sin, pow) except logistic,
// which is furcate's fc_logisticd; no f32 helper (fc_expf, ...) may appear.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<64xf64>, %y: tensor<64xf64>) -> tensor<64xf64> {
  %a = furcate.exp %x : (tensor<64xf64>) -> tensor<64xf64>
  %b = furcate.log %a : (tensor<64xf64>) -> tensor<64xf64>
  %c = furcate.erf %b : (tensor<64xf64>) -> tensor<64xf64>
  %d = furcate.logistic %c : (tensor<64xf64>) -> tensor<64xf64>
  %e = furcate.sin %d : (tensor<64xf64>) -> tensor<64xf64>
  %f = furcate.pow %e, %y : (tensor<64xf64>, tensor<64xf64>) -> tensor<64xf64>
  func.return %f : tensor<64xf64>
}
// CHECK:      static void fc_main_0_k0(const double * restrict b0, const double * restrict b1, double * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 64; i0++) {
// CHECK-NEXT:     const double t0 = b0[i0];
// CHECK-NEXT:     const double t1 = exp(t0);
// CHECK-NEXT:     const double t2 = log(t1);
// CHECK-NEXT:     const double t3 = erf(t2);
// CHECK-NEXT:     const double t4 = fc_logisticd(t3);
// CHECK-NEXT:     const double t5 = sin(t4);
// CHECK-NEXT:     const double t6 = b1[i0];
// CHECK-NEXT:     const double t7 = pow(t5, t6);
// CHECK-NEXT:     b2[i0] = t7;
// CHECK-NOT:  {{fc_[a-z]+f\(}}
// CHECK-NOT:  fc_main_0_k1
