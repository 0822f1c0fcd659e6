// emit-c: converting to f16/bf16 rounds in the value itself (fc_round_h / fc_round_bf on
// the f32), then the store packs it (fc_f2h / fc_f2bf); an f16 source is widened with fc_h2f.
// An integer becomes a float through a select on zero (so gcc cannot turn an f32 -> int ->
// f32 round trip into trunc(x), whose -0.0 an integer cannot have).
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%i: tensor<16xi32>, %h: tensor<16xf16>) -> (tensor<16xf16>, tensor<16xbf16>) {
  %b = furcate.convert %i : (tensor<16xi32>) -> tensor<16xf16>
  %e = furcate.convert %h : (tensor<16xf16>) -> tensor<16xbf16>
  func.return %b, %e : tensor<16xf16>, tensor<16xbf16>
}
// CHECK:      static void fc_main_0_k0(const int32_t * restrict b0, uint16_t * restrict b1) {
// CHECK:          const int32_t t0 = b0[i0];
// CHECK-NEXT:     const float t1 = fc_round_h((t0 == 0 ? 0.0f : (float)(t0)));
// CHECK-NEXT:     b1[i0] = fc_f2h(t1);
// CHECK:      static void fc_main_0_k1(const uint16_t * restrict b0, uint16_t * restrict b1) {
// CHECK:          const float t0 = fc_h2f(b0[i0]);
// CHECK-NEXT:     const float t1 = fc_round_bf(t0);
// CHECK-NEXT:     b1[i0] = fc_f2bf(t1);
