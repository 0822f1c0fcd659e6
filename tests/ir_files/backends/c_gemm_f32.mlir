// emit-c: a plain f32 [8x32]x[32x16] dot_general is one FC_SGEMM call, row-major (101)
// with no transposes (111, 111), M=8, K=32, N split into column chunks [lo, hi), alpha 1,
// beta 0, on one BLAS thread; no hand-written multiply loop.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%a: tensor<8x32xf32>, %b: tensor<32x16xf32>) -> tensor<8x16xf32> {
  %c = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xf32>, tensor<32x16xf32>) -> tensor<8x16xf32>
  func.return %c : tensor<8x16xf32>
}
// CHECK:      #define FC_SGEMM
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * b2, float * b3) {
// CHECK:            const int64_t hi = lo + CH < 16 ? lo + CH : 16;
// CHECK:              const int fc_prev = FC_BLAS_LOCAL_THREADS(1);
// CHECK-NEXT:         FC_SGEMM(101, 111, 111, 8, (hi - lo), 32, 1.0f, b0 + 0, 32, b1 + 0 + lo*1, 16, 0.0f, b3 + 0 + lo, 16);
// CHECK-NEXT:         FC_BLAS_LOCAL_THREADS(fc_prev);
// CHECK-NOT:  FC_DGEMM(
// CHECK-NOT:  +=
// CHECK:        fc_main_0_k0((const float *)p[0], (const float *)p[1], (float *)p[2], (float *)p[2]);
