// emit-c: bf16 is stored as uint16_t and computed in f32 (fc_bf2f on load); the result is
// rounded once, on store, with fc_f2bf -- not the f16 helpers.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x8xbf16>, %y: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %a = furcate.add %x, %y : (tensor<4x8xbf16>, tensor<4x8xbf16>) -> tensor<4x8xbf16>
  %b = furcate.tanh %a : (tensor<4x8xbf16>) -> tensor<4x8xbf16>
  %c = furcate.mul %b, %y : (tensor<4x8xbf16>, tensor<4x8xbf16>) -> tensor<4x8xbf16>
  func.return %c : tensor<4x8xbf16>
}
// CHECK:      static void fc_main_0_k0(const uint16_t * restrict b0, const uint16_t * restrict b1, uint16_t * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 32; i0++) {
// CHECK-NEXT:     const float t0 = fc_bf2f(b0[i0]);
// CHECK-NEXT:     const float t1 = fc_bf2f(b1[i0]);
// CHECK-NEXT:     const float t2 = (t0 + t1);
// CHECK-NEXT:     const float t3 = fc_tanhf(t2);
// CHECK-NEXT:     const float t4 = (t3 * t1);
// CHECK-NEXT:     b2[i0] = fc_f2bf(t4);
// CHECK-NOT:  fc_h2f
// CHECK-NOT:  fc_f2h
// CHECK-NOT:  fc_main_0_k1
