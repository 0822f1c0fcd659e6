// emit-triton: a strided slice fused with abs reads b0 at 16*i0 + 2*i1 + 8 over the 12
// output elements; nothing is copied.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<8x8xf32>) -> tensor<3x4xf32> {
  %s = furcate.slice %x {limit_indices = array<i64: 7, 8>, start_indices = array<i64: 1, 0>, strides = array<i64: 2, 2>} : (tensor<8x8xf32>) -> tensor<3x4xf32>
  %e = furcate.abs %s : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return %e : tensor<3x4xf32>
}
// CHECK:      # kernel fc_main_k0 [pointwise]
// CHECK:        mask = offs < 12
// CHECK:        t0 = tl.load(b0 + (16 * i0 + 2 * i1 + 8), mask=mask, other=0)
// CHECK-NEXT:   t1 = tl.abs(t0)
// CHECK-NEXT:   tl.store(b1 + (offs), (t1).to(tl.float32), mask=mask)
// CHECK-NOT:  @triton.jit
