// emit-triton: an f32 matmul is a gemm kernel: grouped program ids (GROUP_M), a K loop in
// BK steps with masked A/B tile loads and tl.dot in IEEE f32 precision (no tf32) into an
// f32 accumulator, and a masked store of the 8x16 result.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%a: tensor<8x32xf32>, %b: tensor<32x16xf32>) -> tensor<8x16xf32> {
  %c = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xf32>, tensor<32x16xf32>) -> tensor<8x16xf32>
  func.return %c : tensor<8x16xf32>
}
// CHECK:      # kernel fc_main_k0 [gemm]
// CHECK:      def fc_main_k0(b0, b1, b2, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr, GROUP_M: tl.constexpr):
// CHECK:        npm = tl.cdiv(8, BM)
// CHECK-NEXT:   npn = tl.cdiv(16, BN)
// CHECK:        a_ptr = b0 + (0) + rm * 32
// CHECK-NEXT:   b_ptr = b1 + (0) + rn * 1
// CHECK-NEXT:   acc = tl.zeros([BM, BN], tl.float32)
// CHECK-NEXT:   for k0 in range(0, 32, BK):
// CHECK-NEXT:     kk = k0 + tl.arange(0, BK)
// CHECK-NEXT:     a = tl.load(a_ptr + kk[None, :] * 1, mask=mmask & (kk[None, :] < 32), other=0)
// CHECK-NEXT:     b = tl.load(b_ptr + kk[:, None] * 16, mask=(kk[:, None] < 32) & nmask, other=0)
// CHECK-NEXT:     acc = tl.dot(a, b, acc, input_precision="ieee")
// CHECK:        tl.store(b2 + (16 * i0 + i1), (t0).to(tl.float32), mask=mmask & nmask)
// CHECK-NOT:  @triton.jit
