// emit-c: an i32 chain (mul, add, xor, not, abs, max, neg) is one loop over int32_t; each
// arithmetic result is cast back to int32_t (wrap-around, built with -fwrapv), integer
// max is a plain ternary (no NaN handling) and abs is a sign test.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<16xi32>, %y: tensor<16xi32>) -> tensor<16xi32> {
  %a = furcate.mul %x, %y : (tensor<16xi32>, tensor<16xi32>) -> tensor<16xi32>
  %b = furcate.add %a, %x : (tensor<16xi32>, tensor<16xi32>) -> tensor<16xi32>
  %c = furcate.xor %b, %y : (tensor<16xi32>, tensor<16xi32>) -> tensor<16xi32>
  %d = furcate.not %c : (tensor<16xi32>) -> tensor<16xi32>
  %e = furcate.abs %d : (tensor<16xi32>) -> tensor<16xi32>
  %f = furcate.max %e, %x : (tensor<16xi32>, tensor<16xi32>) -> tensor<16xi32>
  %g = furcate.neg %f : (tensor<16xi32>) -> tensor<16xi32>
  func.return %g : tensor<16xi32>
}
// CHECK:      static void fc_main_0_k0(const int32_t * restrict b0, const int32_t * restrict b1, int32_t * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 16; i0++) {
// CHECK:          const int32_t t2 = ((int32_t)(t0 * t1));
// CHECK-NEXT:     const int32_t t3 = ((int32_t)(t2 + t0));
// CHECK-NEXT:     const int32_t t4 = ((int32_t)(t3 ^ t1));
// CHECK-NEXT:     const int32_t t5 = ((int32_t)~t4);
// CHECK-NEXT:     const int32_t t6 = ((int32_t)(t5 < 0 ? -t5 : t5));
// CHECK-NEXT:     const int32_t t7 = (t6 > t0 ? t6 : t0);
// CHECK-NEXT:     const int32_t t8 = ((int32_t)(-t7));
// CHECK-NEXT:     b2[i0] = t8;
// CHECK-NOT:  fc_maxf
// CHECK-NOT:  fc_main_0_k1
