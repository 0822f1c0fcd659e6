// emit-triton: an i1 'and' reduction loads bytes as '!= 0' masks, pads with true, and is a
// tl.min over the int32-cast row, turned back into a mask and stored as uint8.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%b: tensor<5x7xi1>) -> tensor<5xi1> {
  %d = furcate.reduce %b {dimensions = array<i64: 1>, kind = "and"} : (tensor<5x7xi1>) -> tensor<5xi1>
  func.return %d : tensor<5xi1>
}
// CHECK:      t0 = (tl.load(b0 + (7 * i0 + i1), mask=cmask & rmask, other=0) != 0)
// CHECK-NEXT: t1 = (tl.min((tl.where(rmask & cmask, t0, tl.full([], 1, tl.int1))).to(tl.int32), axis=1) != 0)[:, None]
// CHECK-NEXT: tl.store(b1 + (i0), (t1).to(tl.uint8), mask=rmask)
