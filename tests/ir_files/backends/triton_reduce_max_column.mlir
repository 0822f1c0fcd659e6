// emit-triton: a max over dim 0 (non-contiguous) still tiles rows x reduced columns, with
// the strided address i0 + 4*i1; the padding value is -inf (as f32 bits) and the combine
// is furcate's NaN-propagating _fc_fmax through tl.reduce.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<32x4xf32>) -> tensor<4xf32> {
  %s = furcate.reduce %x {dimensions = array<i64: 0>, kind = "max"} : (tensor<32x4xf32>) -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}
// CHECK:      # kernel fc_main_k0 [reduction]
// CHECK:        # reduction kernel main_k0: parallel [4], reduce [32]
// CHECK:        t0 = tl.load(b0 + (i0 + 4 * i1), mask=cmask & rmask, other=0)
// CHECK-NEXT:   t1 = tl.reduce(tl.where(rmask & cmask, t0, tl.full([], -8388608, tl.int32).to(tl.float32, bitcast=True)), 1, _fc_fmax)[:, None]
// CHECK-NEXT:   tl.store(b1 + (i0), (t1).to(tl.float32), mask=rmask)
// CHECK-NOT:  tl.max(
