// emit-c: a max over dims {0, 2} of a 4x6x8 tensor keeps one scalar accumulator per output
// (init -INFINITY) and walks both reduced dims (strides 48 and 1) in nested loops.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x6x8xf32>) -> tensor<6xf32> {
  %c = furcate.reduce %x {dimensions = array<i64: 0, 2>, kind = "max"} : (tensor<4x6x8xf32>) -> tensor<6xf32>
  func.return %c : tensor<6xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 6; i0++) {
// CHECK-NEXT:     float s1 = -INFINITY;
// CHECK-NEXT:     for (int64_t i1 = 0; i1 < 4; i1++) {
// CHECK-NEXT:       for (int64_t i2 = 0; i2 < 8; i2++) {
// CHECK-NEXT:         const float t0 = b0[8*i0 + 48*i1 + i2];
// CHECK-NEXT:         s1 = fc_maxf(s1, t0);
// CHECK:          b1[i0] = t1;
