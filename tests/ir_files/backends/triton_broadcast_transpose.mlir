// emit-triton: broadcast and transpose become index expressions on the flat offset: the
// 8x4 output splits offs into i0 = offs // 4, i1 = offs % 4 and reads x at i0 + 8*i1.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<8x4xf32> {
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 4, 8>} : (tensor<8xf32>) -> tensor<4x8xf32>
  %s = furcate.add %x, %bb : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %t = furcate.transpose %s {permutation = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %e = furcate.exp %t : (tensor<8x4xf32>) -> tensor<8x4xf32>
  func.return %e : tensor<8x4xf32>
}
// CHECK:      # pointwise kernel main_k0: parallel [8, 4], reduce []
// CHECK:        mask = offs < 32
// CHECK-NEXT:   i0 = (offs // 4)
// CHECK-NEXT:   i1 = (offs % 4)
// CHECK-NEXT:   t0 = tl.load(b0 + (i0 + 8 * i1), mask=mask, other=0)
// CHECK-NEXT:   t1 = tl.load(b1 + (i0), mask=mask, other=0)
// CHECK-NEXT:   t2 = (t0 + t1)
// CHECK-NEXT:   t3 = tl.exp(t2)
// CHECK-NEXT:   tl.store(b2 + (offs), (t3).to(tl.float32), mask=mask)
// CHECK-NOT:  @triton.jit
