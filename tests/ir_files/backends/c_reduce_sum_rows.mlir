// emit-c: a sum over the last (contiguous) dim is the row schedule: per row, 16 partial
// accumulators initialized to 0, a blocked loop over the 32 columns, then a lane combine.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x32xf32>) -> tensor<4xf32> {
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x32xf32>) -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 4; i0++) {
// CHECK-NEXT:     float a1[16];
// CHECK-NEXT:     for (int l = 0; l < 16; l++) a1[l] = 0.0;
// CHECK-NEXT:     for (int64_t r0 = 0; r0 < 32; r0 += 16) {
// CHECK-NEXT:       for (int l = 0; l < 16; l++) {
// CHECK-NEXT:         const int64_t i1 = r0 + l;
// CHECK-NEXT:         const float t0 = b0[32*i0 + i1];
// CHECK-NEXT:         a1[l] = (a1[l] + t0);
// CHECK:          float s1 = a1[0];
// CHECK-NEXT:     for (int l = 1; l < 16; l++) s1 = (s1 + a1[l]);
// CHECK-NEXT:     const float t1 = (float)s1;
// CHECK-NEXT:     b1[i0] = t1;
// CHECK-NOT:  fc_main_0_k1
