// emit-triton: an f16 row sum widens on load and sums in f32 (the 0.0 pad is f32), then
// narrows once on the store to tl.float16.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x32xf16>) -> tensor<4xf16> {
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x32xf16>) -> tensor<4xf16>
  func.return %s : tensor<4xf16>
}
// CHECK:      t0 = tl.load(b0 + (32 * i0 + i1), mask=cmask & rmask, other=0).to(tl.float32)
// CHECK-NEXT: t1 = tl.sum(tl.where(rmask & cmask, t0, tl.full([], 0.0, tl.float32)), axis=1)[:, None]
// CHECK-NEXT: tl.store(b1 + (i0), (t1).to(tl.float16), mask=rmask)
