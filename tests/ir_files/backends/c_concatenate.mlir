// emit-c: concatenate along dim 1 is a compiled kernel selecting between two clamped reads
// (x at column i1, y at column i1 - 3) on 'i1 < 3', written to the segment workspace; the
// neg that consumes it is a second kernel reading ws (not fused with the concatenate).
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x3xf32>, %y: tensor<4x5xf32>) -> tensor<4x8xf32> {
  %c = furcate.concatenate %x, %y {dimension = 1 : i64} : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
  %e = furcate.neg %c : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %e : tensor<4x8xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, float * restrict b2) {
// CHECK:            const int64_t t0 = ((int64_t)(i1));
// CHECK-NEXT:       const float t1 = b0[3*i0 + 1*(t0 < 0 ? 0 : (t0 > 2 ? 2 : (int64_t)t0))];
// CHECK-NEXT:       const int64_t t2 = ((int64_t)(i1 + -3));
// CHECK-NEXT:       const float t3 = b1[5*i0 + 1*(t2 < 0 ? 0 : (t2 > 4 ? 4 : (int64_t)t2))];
// CHECK-NEXT:       const int64_t t4 = INT64_C(3);
// CHECK-NEXT:       const int t5 = (t0 < t4);
// CHECK-NEXT:       const float t6 = (t5 ? t1 : t3);
// CHECK-NEXT:       b2[8*i0 + i1] = t6;
// CHECK:      static void fc_main_0_k1(const float * restrict b0, float * restrict b1) {
// CHECK:          const float t1 = (-t0);
// CHECK:        fc_main_0_k0((const float *)p[0], (const float *)p[1], (float *)(ws + 0));
// CHECK-NEXT:   fc_main_0_k1((const float *)(ws + 0), (float *)p[2]);
// CHECK-NOT:  numpy step
