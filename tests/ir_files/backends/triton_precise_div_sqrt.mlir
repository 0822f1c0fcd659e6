// emit-triton: f32 division and sqrt are the correctly rounded tl.div_rn / tl.sqrt_rn
// (Triton's '/' and tl.sqrt are approximate); rsqrt is 1.0 / sqrt_rn.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<16xf32>, %y: tensor<16xf32>) -> tensor<16xf32> {
  %a = furcate.div %x, %y : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %b = furcate.sqrt %a : (tensor<16xf32>) -> tensor<16xf32>
  %c = furcate.rsqrt %b : (tensor<16xf32>) -> tensor<16xf32>
  func.return %c : tensor<16xf32>
}
// CHECK:      def fc_main_k0(b0, b1, b2, BLOCK: tl.constexpr):
// CHECK:        t2 = tl.div_rn(t0, t1)
// CHECK-NEXT:   t3 = tl.sqrt_rn(t2)
// CHECK-NEXT:   t4 = (1.0 / tl.sqrt_rn(t3))
// CHECK-NOT:  tl.sqrt(
