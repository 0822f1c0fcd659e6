// emit-c: iota is never materialized: it is the loop index itself, cast to the element
// type ((int32_t)(i1) for iota_dimension 1), compared in place against x.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x8xi32>) -> tensor<4x8xi1> {
  %i = furcate.iota {iota_dimension = 1 : i64} : () -> tensor<4x8xi32>
  %c = furcate.compare %x, %i {comparison_direction = "EQ"} : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi1>
  func.return %c : tensor<4x8xi1>
}
// CHECK:      static void fc_main_0_k0(const int32_t * restrict b0, uint8_t * restrict b1) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 4; i0++) {
// CHECK-NEXT:     for (int64_t i1 = 0; i1 < 8; i1++) {
// CHECK-NEXT:       const int32_t t0 = b0[8*i0 + i1];
// CHECK-NEXT:       const int32_t t1 = ((int32_t)(i1));
// CHECK-NEXT:       const int t2 = (t0 == t1);
// CHECK-NEXT:       b1[8*i0 + i1] = (uint8_t)((t2) != 0);
// CHECK-NOT:  fc_main_0_k1
