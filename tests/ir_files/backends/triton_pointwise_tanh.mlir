// emit-triton: add then tanh fuse into one masked pointwise Triton kernel over 32 elements;
// tanh is 2*sigmoid(2x)-1 with a short series near 0 (no cancellation for tiny x).
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = furcate.add %x, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %b = furcate.tanh %a : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %b : tensor<4x8xf32>
}
// CHECK:      # kernel fc_main_k0 [pointwise]
// CHECK:      @triton.jit
// CHECK-NEXT: def fc_main_k0(b0, b1, b2, BLOCK: tl.constexpr):
// CHECK:        mask = offs < 32
// CHECK:        t2 = (t0 + t1)
// CHECK-NEXT:   t3 = tl.where(tl.abs(t2) < 0.01, {{.*}}, 2.0 * tl.sigmoid(2.0 * t2) - 1.0)
// CHECK-NEXT:   tl.store(b2 + (offs), (t3).to(tl.float32), mask=mask)
// CHECK-NOT:  @triton.jit
