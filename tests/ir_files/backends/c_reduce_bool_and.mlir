// emit-c: an 'and' reduction of i1 rows (length 7 < 16 lanes) starts from 1, combines with
// '&' on int lanes, and since no full 16-block fits, the scalar tail loop covers all 7.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%b: tensor<5x7xi1>) -> tensor<5xi1> {
  %d = furcate.reduce %b {dimensions = array<i64: 1>, kind = "and"} : (tensor<5x7xi1>) -> tensor<5xi1>
  func.return %d : tensor<5xi1>
}
// CHECK:      static void fc_main_0_k0(const uint8_t * restrict b0, uint8_t * restrict b1) {
// CHECK:          int a1[16];
// CHECK-NEXT:     for (int l = 0; l < 16; l++) a1[l] = 1;
// CHECK-NEXT:     for (int64_t r0 = 0; r0 < 0; r0 += 16) {
// CHECK:          for (int64_t i1 = 0; i1 < 7; i1++) {
// CHECK-NEXT:       const int t0 = ((int)b0[7*i0 + i1]);
// CHECK-NEXT:       s1 = (s1 & t0);
// CHECK:          b1[i0] = (uint8_t)((t1) != 0);
