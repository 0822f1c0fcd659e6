// emit-triton: integer div/rem follow XLA: the divisor is replaced by 1 where it is 0 or
// where INT_MIN / -1 would overflow, then x/0 gives -1 and x%0 gives x via tl.where.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x8xi32>, %y: tensor<4x8xi32>) -> (tensor<4x8xi32>, tensor<4x8xi32>) {
  %a = furcate.div %x, %y : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi32>
  %b = furcate.rem %x, %y : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi32>
  func.return %a, %b : tensor<4x8xi32>, tensor<4x8xi32>
}
// CHECK:      def fc_main_k0(b0, b1, b2, BLOCK: tl.constexpr):
// CHECK:        t2 = tl.where(t1 == 0, tl.full([], -1, tl.int32), (t0 // tl.where((t1 == 0) | ((t0 == -2147483648) & (t1 == -1)), tl.full([], 1, tl.int32), t1)).to(tl.int32))
// CHECK-NEXT:   tl.store(b2 + (offs), (t2).to(tl.int32), mask=mask)
// CHECK:      def fc_main_k1(b0, b1, b2, BLOCK: tl.constexpr):
// CHECK:        t2 = tl.where(t1 == 0, t0, (t0 % tl.where((t1 == 0) | ((t0 == -2147483648) & (t1 == -1)), tl.full([], 1, tl.int32), t1)).to(tl.int32))
// CHECK-NOT:  @triton.jit
