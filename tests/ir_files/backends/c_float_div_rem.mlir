// emit-c: float div is a plain IEEE '/' (x/0 = inf, no helper) and float rem is C fmodf
// (sign of the dividend), in contrast with the integer safe helpers.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<16xf32>, %y: tensor<16xf32>) -> tensor<16xf32> {
  %a = furcate.div %x, %y : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %b = furcate.rem %a, %y : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  func.return %b : tensor<16xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 16; i0++) {
// CHECK:          const float t2 = (t0 / t1);
// CHECK-NEXT:     const float t3 = fmodf(t2, t1);
// CHECK-NEXT:     b2[i0] = t3;
// CHECK-NOT:  fc_div_
// CHECK-NOT:  fc_rem_
// CHECK-NOT:  fc_main_0_k1
