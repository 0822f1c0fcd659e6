// emit-c: f32 exp, log, erf and logistic are furcate's own inlined helpers (fc_expf,
// fc_logf, fc_erff, fc_logisticf: accurate and vectorizable), while sin and pow call libm's
// sinf/powf; the whole chain is a single loop.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<64xf32>, %y: tensor<64xf32>) -> tensor<64xf32> {
  %a = furcate.exp %x : (tensor<64xf32>) -> tensor<64xf32>
  %b = furcate.log %a : (tensor<64xf32>) -> tensor<64xf32>
  %c = furcate.erf %b : (tensor<64xf32>) -> tensor<64xf32>
  %d = furcate.logistic %c : (tensor<64xf32>) -> tensor<64xf32>
  %e = furcate.sin %d : (tensor<64xf32>) -> tensor<64xf32>
  %f = furcate.pow %e, %y : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  func.return %f : tensor<64xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 64; i0++) {
// CHECK-NEXT:     const float t0 = b0[i0];
// CHECK-NEXT:     const float t1 = fc_expf(t0);
// CHECK-NEXT:     const float t2 = fc_logf(t1);
// CHECK-NEXT:     const float t3 = fc_erff(t2);
// CHECK-NEXT:     const float t4 = fc_logisticf(t3);
// CHECK-NEXT:     const float t5 = sinf(t4);
// CHECK-NEXT:     const float t6 = b1[i0];
// CHECK-NEXT:     const float t7 = powf(t5, t6);
// CHECK-NEXT:     b2[i0] = t7;
// CHECK-NOT:  fc_main_0_k1
