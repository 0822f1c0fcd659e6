// emit-triton: exp/log/erf/sin map to tl.* intrinsics, logistic to tl.sigmoid, and f32 pow
// is furcate's _fc_pow evaluated in f64 and rounded back to f32 (tl has no accurate pow).
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<64xf32>, %y: tensor<64xf32>) -> tensor<64xf32> {
  %a = furcate.exp %x : (tensor<64xf32>) -> tensor<64xf32>
  %b = furcate.log %a : (tensor<64xf32>) -> tensor<64xf32>
  %c = furcate.erf %b : (tensor<64xf32>) -> tensor<64xf32>
  %d = furcate.logistic %c : (tensor<64xf32>) -> tensor<64xf32>
  %e = furcate.sin %d : (tensor<64xf32>) -> tensor<64xf32>
  %f = furcate.pow %e, %y : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  func.return %f : tensor<64xf32>
}
// CHECK:      def fc_main_k0(b0, b1, b2, BLOCK: tl.constexpr):
// CHECK:        mask = offs < 64
// CHECK:        t1 = tl.exp(t0)
// CHECK-NEXT:   t2 = tl.log(t1)
// CHECK-NEXT:   t3 = tl.erf(t2)
// CHECK-NEXT:   t4 = tl.sigmoid(t3)
// CHECK-NEXT:   t5 = tl.sin(t4)
// CHECK-NEXT:   t6 = tl.load(b1 + (offs), mask=mask, other=0)
// CHECK-NEXT:   t7 = _fc_pow((t5).to(tl.float64), (t6).to(tl.float64)).to(tl.float32)
// CHECK-NEXT:   tl.store(b2 + (offs), (t7).to(tl.float32), mask=mask)
// CHECK-NOT:  @triton.jit
