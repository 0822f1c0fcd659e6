// emit-c: argmax is not compiled by the C backend: it is a NumPy step and no C segment
// is emitted for it. A following pointwise op on the index still becomes a C kernel.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x32xf32>, %o: tensor<4xi32>) -> tensor<4xi32> {
  %s = furcate.argmax %x {dimension = 1 : i64, index_dtype = "i32"} : (tensor<4x32xf32>) -> tensor<4xi32>
  %t = furcate.add %s, %o : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  func.return %t : tensor<4xi32>
}
// CHECK:      // numpy step: furcate.argmax
// CHECK:      // segment fc_main_0
// CHECK-NEXT: static void fc_main_0_k0(const int32_t * restrict b0, const int32_t * restrict b1, int32_t * restrict b2) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 4; i0++) {
// CHECK:          const int32_t t2 = ((int32_t)(t0 + t1));
// CHECK-NOT:  float
// CHECK-NOT:  // segment
