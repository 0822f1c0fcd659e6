// emit-c: gather along axis 0 (an embedding lookup) is a compiled loop: the i32 index is
// clamped into [0, 9] (StableHLO semantics, no out-of-bounds read) and scaled by the row
// stride 16.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%t: tensor<10x16xf32>, %i: tensor<4xi32>) -> tensor<4x16xf32> {
  %g = furcate.gather %t, %i {axis = 0 : i64} : (tensor<10x16xf32>, tensor<4xi32>) -> tensor<4x16xf32>
  func.return %g : tensor<4x16xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const int32_t * restrict b1, float * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 4; i0++) {
// CHECK-NEXT:     for (int64_t i1 = 0; i1 < 16; i1++) {
// CHECK-NEXT:       const int32_t t0 = b1[i0];
// CHECK-NEXT:       const float t1 = b0[i1 + 16*(t0 < 0 ? 0 : (t0 > 9 ? 9 : (int64_t)t0))];
// CHECK-NEXT:       b2[16*i0 + i1] = t1;
// CHECK-NOT:  numpy step
