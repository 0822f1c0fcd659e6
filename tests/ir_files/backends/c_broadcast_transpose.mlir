// emit-c: a row-vector broadcast and a transpose are index expressions, not copies: the
// loop runs over the transposed 8x4 output, reads x at [i0 + 8*i1] and the bias at [i0].
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<8x4xf32> {
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 4, 8>} : (tensor<8xf32>) -> tensor<4x8xf32>
  %s = furcate.add %x, %bb : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %t = furcate.transpose %s {permutation = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %e = furcate.exp %t : (tensor<8x4xf32>) -> tensor<8x4xf32>
  func.return %e : tensor<8x4xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 8; i0++) {
// CHECK-NEXT:     for (int64_t i1 = 0; i1 < 4; i1++) {
// CHECK-NEXT:       const float t0 = b0[i0 + 8*i1];
// CHECK-NEXT:       const float t1 = b1[i0];
// CHECK-NEXT:       const float t2 = (t0 + t1);
// CHECK-NEXT:       const float t3 = fc_expf(t2);
// CHECK-NEXT:       b2[4*i0 + i1] = t3;
// CHECK-NOT:  fc_main_0_k1
