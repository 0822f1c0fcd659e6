// emit-triton: a row sum is a reduction kernel with a [BM, RB] tile: rows masked by
// 'row < 4', columns by 'col < 32', masked-out lanes replaced by 0.0 before tl.sum(axis=1).
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x32xf32>) -> tensor<4xf32> {
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x32xf32>) -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}
// CHECK:      # kernel fc_main_k0 [reduction]
// CHECK:      def fc_main_k0(b0, b1, BM: tl.constexpr, RB: tl.constexpr):
// CHECK:        row = tl.program_id(0) * BM + tl.arange(0, BM)[:, None]
// CHECK-NEXT:   rmask = row < 4
// CHECK:        col = tl.arange(0, RB)[None, :]
// CHECK-NEXT:   cmask = col < 32
// CHECK:        t0 = tl.load(b0 + (32 * i0 + i1), mask=cmask & rmask, other=0)
// CHECK-NEXT:   t1 = tl.sum(tl.where(rmask & cmask, t0, tl.full([], 0.0, tl.float32)), axis=1)[:, None]
// CHECK-NEXT:   tl.store(b1 + (i0), (t1).to(tl.float32), mask=rmask)
// CHECK-NOT:  @triton.jit
