// emit-c: i1 tensors are uint8_t in memory and int in registers: a compare, not/and/or
// on masks, is_finite (|x| <= FLT_MAX, false for NaN) and a select, all in one loop.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<16xf32>, %y: tensor<16xf32>, %m: tensor<16xi1>) -> tensor<16xf32> {
  %c = furcate.compare %x, %y {comparison_direction = "LT"} : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xi1>
  %n = furcate.not %m : (tensor<16xi1>) -> tensor<16xi1>
  %a = furcate.and %c, %n : (tensor<16xi1>, tensor<16xi1>) -> tensor<16xi1>
  %f = furcate.is_finite %x : (tensor<16xf32>) -> tensor<16xi1>
  %o = furcate.or %a, %f : (tensor<16xi1>, tensor<16xi1>) -> tensor<16xi1>
  %s = furcate.select %o, %x, %y : (tensor<16xi1>, tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  func.return %s : tensor<16xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, const uint8_t * restrict b2, float * restrict b3) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 16; i0++) {
// CHECK:          const int t2 = (t0 < t1);
// CHECK-NEXT:     const int t3 = ((int)b2[i0]);
// CHECK-NEXT:     const int t4 = (!t3);
// CHECK-NEXT:     const int t5 = ((int)(t2 & t4));
// CHECK-NEXT:     const int t6 = (fabsf(t0) <= 3.40282347e+38f);
// CHECK-NEXT:     const int t7 = ((int)(t5 | t6));
// CHECK-NEXT:     const float t8 = (t7 ? t0 : t1);
// CHECK-NEXT:     b3[i0] = t8;
// CHECK-NOT:  fc_main_0_k1
