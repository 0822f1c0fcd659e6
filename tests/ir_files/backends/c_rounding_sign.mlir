// emit-c: f32 rounding ops map to exact helpers -- floorf/ceilf, fc_rintf (half to even),
// fc_round_afzf (half away from zero) -- and sign keeps NaN and -0.0 by returning x itself
// when it is neither > 0 nor < 0.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<16xf32>) -> tensor<16xf32> {
  %a = furcate.floor %x : (tensor<16xf32>) -> tensor<16xf32>
  %b = furcate.ceil %a : (tensor<16xf32>) -> tensor<16xf32>
  %c = furcate.round_nearest_even %b : (tensor<16xf32>) -> tensor<16xf32>
  %d = furcate.round_nearest_afz %c : (tensor<16xf32>) -> tensor<16xf32>
  %e = furcate.sign %d : (tensor<16xf32>) -> tensor<16xf32>
  func.return %e : tensor<16xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 16; i0++) {
// CHECK-NEXT:     const float t0 = b0[i0];
// CHECK-NEXT:     const float t1 = floorf(t0);
// CHECK-NEXT:     const float t2 = ceilf(t1);
// CHECK-NEXT:     const float t3 = fc_rintf(t2);
// CHECK-NEXT:     const float t4 = fc_round_afzf(t3);
// CHECK-NEXT:     const float t5 = (t4 > 0.0f ? 1.0f : (t4 < 0.0f ? -1.0f : t4));
// CHECK-NEXT:     b1[i0] = t5;
// CHECK-NOT:  fc_main_0_k1
