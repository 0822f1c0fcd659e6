// emit-c: the safe division helpers are per type: an i64 div fused with a rem of the
// quotient calls fc_div_i64 then fc_rem_i64 in ONE loop over int64_t.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<2x5xi64>, %y: tensor<2x5xi64>) -> tensor<2x5xi64> {
  %a = furcate.div %x, %y : (tensor<2x5xi64>, tensor<2x5xi64>) -> tensor<2x5xi64>
  %b = furcate.rem %a, %y : (tensor<2x5xi64>, tensor<2x5xi64>) -> tensor<2x5xi64>
  func.return %b : tensor<2x5xi64>
}
// CHECK:      static void fc_main_0_k0(const int64_t * restrict b0, const int64_t * restrict b1, int64_t * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 10; i0++) {
// CHECK-NEXT:     const int64_t t0 = b0[i0];
// CHECK-NEXT:     const int64_t t1 = b1[i0];
// CHECK-NEXT:     const int64_t t2 = fc_div_i64(t0, t1);
// CHECK-NEXT:     const int64_t t3 = fc_rem_i64(t2, t1);
// CHECK-NEXT:     b2[i0] = t3;
// CHECK-NOT:  fc_div_i32
// CHECK-NOT:  fc_main_0_k1
