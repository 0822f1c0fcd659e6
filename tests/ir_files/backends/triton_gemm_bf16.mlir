// emit-triton: unlike the C backend (NumPy step), Triton compiles a bf16 matmul: bf16 tiles
// go to tl.dot with an f32 accumulator, the product is rounded to bf16 once (accv) before
// the epilogue, and stored as bf16.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%a: tensor<8x32xbf16>, %b: tensor<32x16xbf16>) -> tensor<8x16xbf16> {
  %c = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xbf16>, tensor<32x16xbf16>) -> tensor<8x16xbf16>
  func.return %c : tensor<8x16xbf16>
}
// CHECK:      # kernel fc_main_k0 [gemm]
// CHECK:        acc = tl.zeros([BM, BN], tl.float32)
// CHECK:          acc = tl.dot(a, b, acc)
// CHECK-NEXT:   accv = (acc).to(tl.bfloat16).to(tl.float32)
// CHECK:        tl.store(b2 + (16 * i0 + i1), (t0).to(tl.bfloat16), mask=mmask & nmask)
// CHECK-NOT:  numpy step
