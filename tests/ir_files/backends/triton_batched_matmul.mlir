// emit-triton: a batched matmul puts the batch on program_id(1) (i0 = bid) and offsets
// both operand pointers and the store by the batch strides 256, 512 and 128.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%a: tensor<3x8x32xf32>, %b: tensor<3x32x16xf32>) -> tensor<3x8x16xf32> {
  %c = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<3x8x32xf32>, tensor<3x32x16xf32>) -> tensor<3x8x16xf32>
  func.return %c : tensor<3x8x16xf32>
}
// CHECK:      # gemm kernel main_k0: parallel [3, 8, 16], reduce []
// CHECK:        bid = tl.program_id(1)
// CHECK:        i0 = bid
// CHECK-NEXT:   i1 = rm
// CHECK-NEXT:   i2 = rn
// CHECK-NEXT:   a_ptr = b0 + (0 + 256 * i0) + rm * 32
// CHECK-NEXT:   b_ptr = b1 + (0 + 512 * i0) + rn * 1
// CHECK:        tl.store(b2 + (128 * i0 + 16 * i1 + i2), (t0).to(tl.float32), mask=mmask & nmask)
