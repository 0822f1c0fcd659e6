// emit-c: an f16 sum accumulates in float lanes (a1 is float[16], each widened element
// added as float) and rounds to f16 once, on the store.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x32xf16>) -> tensor<4xf16> {
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x32xf16>) -> tensor<4xf16>
  func.return %s : tensor<4xf16>
}
// CHECK:      static void fc_main_0_k0(const uint16_t * restrict b0, uint16_t * restrict b1) {
// CHECK:          float a1[16];
// CHECK-NEXT:     for (int l = 0; l < 16; l++) a1[l] = 0.0;
// CHECK:              const float t0 = fc_h2f(b0[32*i0 + i1]);
// CHECK-NEXT:         a1[l] = (a1[l] + ((float)t0));
// CHECK:          float s1 = a1[0];
// CHECK:          const float t1 = (float)s1;
// CHECK-NEXT:     b1[i0] = fc_f2h(t1);
// CHECK-NOT:  uint16_t a1
