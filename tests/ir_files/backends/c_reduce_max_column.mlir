// emit-c: a max over dim 0 of a 32x4 tensor is the column schedule: one accumulator per
// output column, initialized to -INFINITY, the reduced index outermost so the inner loop
// walks contiguous memory, NaN-propagating fc_maxf as the combine, then a store loop.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<32x4xf32>) -> tensor<4xf32> {
  %s = furcate.reduce %x {dimensions = array<i64: 0>, kind = "max"} : (tensor<32x4xf32>) -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1) {
// CHECK-NEXT:   float a1[4];
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 4; i0++) a1[i0] = -INFINITY;
// CHECK-NEXT:   for (int64_t i1 = 0; i1 < 32; i1++) {
// CHECK-NEXT:     for (int64_t i0 = 0; i0 < 4; i0++) {
// CHECK-NEXT:       const float t0 = b0[i0 + 4*i1];
// CHECK-NEXT:       a1[i0] = fc_maxf(a1[i0], t0);
// CHECK:        for (int64_t i0 = 0; i0 < 4; i0++) {
// CHECK-NEXT:     const float t1 = (float)a1[i0];
// CHECK-NEXT:     b1[i0] = t1;
// CHECK-NOT:  a1[l]
