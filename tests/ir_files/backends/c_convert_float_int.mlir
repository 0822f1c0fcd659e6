// emit-c: float->int converts go through saturating helpers (fc_f2i32, fc_d2i64: NaN -> 0,
// out of range -> INT_MIN/INT_MAX) instead of a C cast, which would be undefined there;
// f64->f32 is a plain cast.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<16xf32>, %d: tensor<16xf64>) -> (tensor<16xi32>, tensor<16xi64>, tensor<16xf32>) {
  %a = furcate.convert %x : (tensor<16xf32>) -> tensor<16xi32>
  %g = furcate.convert %d : (tensor<16xf64>) -> tensor<16xi64>
  %f = furcate.convert %d : (tensor<16xf64>) -> tensor<16xf32>
  func.return %a, %g, %f : tensor<16xi32>, tensor<16xi64>, tensor<16xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, int32_t * restrict b1) {
// CHECK:          const int32_t t1 = fc_f2i32(t0);
// CHECK-NEXT:     b1[i0] = t1;
// CHECK:      static void fc_main_0_k1(const double * restrict b0, int64_t * restrict b1) {
// CHECK:          const int64_t t1 = fc_d2i64((double)(t0));
// CHECK:      static void fc_main_0_k2(const double * restrict b0, float * restrict b1) {
// CHECK:          const float t1 = ((float)(t0));
// CHECK-NEXT:     b1[i0] = t1;
// CHECK-NOT:  (int32_t)(t0)
