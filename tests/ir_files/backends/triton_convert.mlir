// emit-triton: f32->i32 saturates explicitly (NaN -> 0, >= 2^31 -> INT_MAX, else clamped
// then cast), ->i1 is '!= 0' stored as uint8, and i32->f16 rounds through tl.float16.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<16xf32>, %i: tensor<16xi32>) -> (tensor<16xi32>, tensor<16xi1>, tensor<16xf16>) {
  %a = furcate.convert %x : (tensor<16xf32>) -> tensor<16xi32>
  %c = furcate.convert %x : (tensor<16xf32>) -> tensor<16xi1>
  %b = furcate.convert %i : (tensor<16xi32>) -> tensor<16xf16>
  func.return %a, %c, %b : tensor<16xi32>, tensor<16xi1>, tensor<16xf16>
}
// CHECK:      def fc_main_k0(b0, b1, BLOCK: tl.constexpr):
// CHECK:        t1 = tl.where(t0 != t0, tl.full([], 0, tl.int32), tl.where(t0 >= tl.full([], 2147483648.0, tl.float32), tl.full([], 2147483647, tl.int32), tl.minimum(tl.maximum(t0, tl.full([], -2147483648.0, tl.float32)), tl.full([], 2147483520.0, tl.float32)).to(tl.int32)))
// CHECK-NEXT:   tl.store(b1 + (offs), (t1).to(tl.int32), mask=mask)
// CHECK:      def fc_main_k1(b0, b1, BLOCK: tl.constexpr):
// CHECK:        t1 = (t0 != 0)
// CHECK-NEXT:   tl.store(b1 + (offs), (t1).to(tl.uint8), mask=mask)
// CHECK:      def fc_main_k2(b0, b1, BLOCK: tl.constexpr):
// CHECK:        t1 = (t0).to(tl.float16).to(tl.float32)
// CHECK-NEXT:   tl.store(b1 + (offs), (t1).to(tl.float16), mask=mask)
