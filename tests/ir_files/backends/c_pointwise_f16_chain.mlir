// emit-c: f16 is stored as uint16_t and computed in f32: each load widens with fc_h2f,
// mul and exp run in float, and only the final store rounds back with fc_f2h.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x8xf16>, %y: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %a = furcate.mul %x, %y : (tensor<4x8xf16>, tensor<4x8xf16>) -> tensor<4x8xf16>
  %b = furcate.exp %a : (tensor<4x8xf16>) -> tensor<4x8xf16>
  func.return %b : tensor<4x8xf16>
}
// CHECK:      static void fc_main_0_k0(const uint16_t * restrict b0, const uint16_t * restrict b1, uint16_t * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 32; i0++) {
// CHECK-NEXT:     const float t0 = fc_h2f(b0[i0]);
// CHECK-NEXT:     const float t1 = fc_h2f(b1[i0]);
// CHECK-NEXT:     const float t2 = (t0 * t1);
// CHECK-NEXT:     const float t3 = fc_expf(t2);
// CHECK-NEXT:     b2[i0] = fc_f2h(t3);
// CHECK-NEXT:   }
// CHECK:      fc_main_0_k0((const uint16_t *)p[0], (const uint16_t *)p[1], (uint16_t *)p[2]);
// CHECK-NOT:  fc_main_0_k1
