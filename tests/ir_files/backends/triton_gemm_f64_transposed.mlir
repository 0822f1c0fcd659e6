// emit-triton: an f64 A^T B^T matmul folds both transposes into the tile strides (A walks
// rm * 1 and kk * 8, B walks rn * 32 and kk * 1), accumulates in f64 and calls tl.dot
// without the f32 input_precision flag.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%a: tensor<32x8xf64>, %b: tensor<16x32xf64>) -> tensor<8x16xf64> {
  %c = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<32x8xf64>, tensor<16x32xf64>) -> tensor<8x16xf64>
  func.return %c : tensor<8x16xf64>
}
// CHECK:      a_ptr = b0 + (0) + rm * 1
// CHECK-NEXT: b_ptr = b1 + (0) + rn * 32
// CHECK-NEXT: acc = tl.zeros([BM, BN], tl.float64)
// CHECK:        a = tl.load(a_ptr + kk[None, :] * 8, mask=mmask & (kk[None, :] < 32), other=0)
// CHECK-NEXT:   b = tl.load(b_ptr + kk[:, None] * 1, mask=(kk[:, None] < 32) & nmask, other=0)
// CHECK-NEXT:   acc = tl.dot(a, b, acc)
// CHECK:      tl.store(b2 + (16 * i0 + i1), (t0).to(tl.float64), mask=mmask & nmask)
