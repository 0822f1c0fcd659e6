// emit-triton: f16 loads are widened with .to(tl.float32), mul and exp run in f32, and the
// single store narrows with .to(tl.float16); one masked pointwise kernel over 32 elements.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x8xf16>, %y: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %a = furcate.mul %x, %y : (tensor<4x8xf16>, tensor<4x8xf16>) -> tensor<4x8xf16>
  %b = furcate.exp %a : (tensor<4x8xf16>) -> tensor<4x8xf16>
  func.return %b : tensor<4x8xf16>
}
// CHECK:      # kernel fc_main_k0 [pointwise]
// CHECK:      def fc_main_k0(b0, b1, b2, BLOCK: tl.constexpr):
// CHECK:        mask = offs < 32
// CHECK:        t0 = tl.load(b0 + (offs), mask=mask, other=0).to(tl.float32)
// CHECK-NEXT:   t1 = tl.load(b1 + (offs), mask=mask, other=0).to(tl.float32)
// CHECK-NEXT:   t2 = (t0 * t1)
// CHECK-NEXT:   t3 = tl.exp(t2)
// CHECK-NEXT:   tl.store(b2 + (offs), (t3).to(tl.float16), mask=mask)
// CHECK-NOT:  @triton.jit
