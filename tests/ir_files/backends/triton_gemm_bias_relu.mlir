// emit-triton: the bias add and relu run on the accumulator tile in the gemm kernel's
// epilogue (bias loaded by column under nmask, NaN-propagating tl.maximum with 0), so
// there is exactly one kernel and one store.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<8x32xf32>, %w: tensor<32x64xf32>, %b: tensor<64xf32>) -> tensor<8x64xf32> {
  %h = furcate.dot_general %x, %w {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xf32>, tensor<32x64xf32>) -> tensor<8x64xf32>
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 8, 64>} : (tensor<64xf32>) -> tensor<8x64xf32>
  %z = furcate.add %h, %bb : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  %zero = furcate.constant dense<0.0> : tensor<8x64xf32>
  %y = furcate.max %z, %zero : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  func.return %y : tensor<8x64xf32>
}
// CHECK:      # kernel fc_main_k0 [gemm]
// CHECK:      def fc_main_k0(b0, b1, b2, b3, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr, GROUP_M: tl.constexpr):
// CHECK:          acc = tl.dot(a, b, acc, input_precision="ieee")
// CHECK:        t0 = accv
// CHECK-NEXT:   t1 = tl.load(b2 + (i1), mask=nmask, other=0)
// CHECK-NEXT:   t2 = (t0 + t1)
// CHECK-NEXT:   t3 = tl.full([], 0.0, tl.float32)
// CHECK-NEXT:   t4 = _fc_fmax(t2, t3)
// CHECK-NEXT:   tl.store(b3 + (64 * i0 + i1), (t4).to(tl.float32), mask=mmask & nmask)
// CHECK-NOT:  tl.store
// CHECK-NOT:  @triton.jit
