// emit-c: a strided slice (rows 1:7:2, columns 0:8:2) fused with abs is a pure index
// expression 16*i0 + 2*i1 + 8 over the 3x4 output -- no copy of the slice.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<8x8xf32>) -> tensor<3x4xf32> {
  %s = furcate.slice %x {limit_indices = array<i64: 7, 8>, start_indices = array<i64: 1, 0>, strides = array<i64: 2, 2>} : (tensor<8x8xf32>) -> tensor<3x4xf32>
  %e = furcate.abs %s : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return %e : tensor<3x4xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 3; i0++) {
// CHECK-NEXT:     for (int64_t i1 = 0; i1 < 4; i1++) {
// CHECK-NEXT:       const float t0 = b0[16*i0 + 2*i1 + 8];
// CHECK-NEXT:       const float t1 = fabsf(t0);
// CHECK-NEXT:       b1[4*i0 + i1] = t1;
// CHECK-NOT:  fc_main_0_k1
