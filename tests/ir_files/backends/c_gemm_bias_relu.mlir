// emit-c: GEMM + bias broadcast + relu (max with 0) is one gemm kernel: FC_SGEMM writes the
// product into the output chunk, then an epilogue loop over the same [lo, hi) columns adds
// the bias by column and applies NaN-propagating fc_maxf in place.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<8x32xf32>, %w: tensor<32x64xf32>, %b: tensor<64xf32>) -> tensor<8x64xf32> {
  %h = furcate.dot_general %x, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xf32>, tensor<32x64xf32>) -> tensor<8x64xf32>
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 64>} : (tensor<64xf32>) -> tensor<8x64xf32>
  %z = furcate.add %h, %bb : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %zero = furcate.constant dense<0.0> : tensor<8x64xf32>
  %y = furcate.max %z, %zero : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  func.return %y : tensor<8x64xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, const float * restrict b2, float * b3, float * b4) {
// CHECK:              FC_SGEMM(101, 111, 111, 8, (hi - lo), 32, 1.0f, b0 + 0, 32, b1 + 0 + lo*1, 64, 0.0f, b4 + 0 + lo, 64);
// CHECK:            for (int64_t i0 = 0; i0 < 8; i0++) {
// CHECK-NEXT:         for (int64_t i1 = lo; i1 < hi; i1++) {
// CHECK-NEXT:           const float t0 = b4[64*i0 + i1];
// CHECK-NEXT:           const float t1 = b2[i1];
// CHECK-NEXT:           const float t2 = (t0 + t1);
// CHECK-NEXT:           const float t3 = (float)0x0.0p+0;
// CHECK-NEXT:           const float t4 = fc_maxf(t2, t3);
// CHECK-NEXT:           b3[64*i0 + i1] = t4;
// CHECK:        fc_main_0_k0((const float *)p[0], (const float *)p[1], (const float *)p[2], (float *)p[3], (float *)p[3]);
// CHECK-NOT:  fc_main_0_k1
