// emit-triton: an i1 input is loaded from bytes and turned into a mask with '!= 0'; compare,
// not (== 0), &, | and is_finite (|x| <= FLT_MAX) feed a tl.where select.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<16xf32>, %y: tensor<16xf32>, %m: tensor<16xi1>) -> tensor<16xf32> {
  %c = furcate.compare %x, %y {comparison_direction = "LT"} : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xi1>
  %n = furcate.not %m : (tensor<16xi1>) -> tensor<16xi1>
  %a = furcate.and %c, %n : (tensor<16xi1>, tensor<16xi1>) -> tensor<16xi1>
  %f = furcate.is_finite %x : (tensor<16xf32>) -> tensor<16xi1>
  %o = furcate.or %a, %f : (tensor<16xi1>, tensor<16xi1>) -> tensor<16xi1>
  %s = furcate.select %o, %x, %y : (tensor<16xi1>, tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  func.return %s : tensor<16xf32>
}
// CHECK:      def fc_main_k0(b0, b1, b2, b3, BLOCK: tl.constexpr):
// CHECK:        t2 = (t0 < t1)
// CHECK-NEXT:   t3 = (tl.load(b2 + (offs), mask=mask, other=0) != 0)
// CHECK-NEXT:   t4 = (t3 == 0)
// CHECK-NEXT:   t5 = (t2 & t4)
// CHECK-NEXT:   t6 = (tl.abs(t0) <= tl.full([], 3.4028234663852886e+38, tl.float32))
// CHECK-NEXT:   t7 = (t5 | t6)
// CHECK-NEXT:   t8 = tl.where(t7, t0, t1)
// CHECK-NEXT:   tl.store(b3 + (offs), (t8).to(tl.float32), mask=mask)
// CHECK-NOT:  @triton.jit
