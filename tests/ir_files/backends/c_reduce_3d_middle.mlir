// emit-c: a sum over the middle dim of a 2x16x8 tensor (a non-contiguous reduction dim)
// takes the column schedule per outer index.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<2x16x8xf32>) -> tensor<2x8xf32> {
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<2x16x8xf32>) -> tensor<2x8xf32>
  func.return %s : tensor<2x8xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 2; i0++) {
// CHECK-NEXT:     float a1[8];
// CHECK-NEXT:     for (int64_t i1 = 0; i1 < 8; i1++) a1[i1] = 0.0;
// CHECK-NEXT:     for (int64_t i2 = 0; i2 < 16; i2++) {
// CHECK-NEXT:       for (int64_t i1 = 0; i1 < 8; i1++) {
// CHECK-NEXT:         const float t0 = b0[128*i0 + i1 + 8*i2];
// CHECK-NEXT:         a1[i1] = (a1[i1] + t0);
// CHECK:          for (int64_t i1 = 0; i1 < 8; i1++) {
// CHECK-NEXT:       const float t1 = (float)a1[i1];
// CHECK-NEXT:       b1[8*i0 + i1] = t1;
// CHECK-NOT:  fc_main_0_k1
