// emit-c: a gather along axis 1 with i64 indices (clamped to [0, 7]) is its own kernel
// writing a segment-local workspace buffer (ws + 0) that the following mul kernel reads;
// the intermediate never becomes a program-level buffer.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%t: tensor<3x8xf32>, %i: tensor<5xi64>, %s: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %g = furcate.gather %t, %i {axis = 1 : i64} : (tensor<3x8xf32>, tensor<5xi64>) -> tensor<3x5xf32>
  %y = furcate.mul %g, %s : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  func.return %y : tensor<3x5xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const int64_t * restrict b1, float * restrict b2) {
// CHECK:            const int64_t t0 = b1[i1];
// CHECK-NEXT:       const float t1 = b0[8*i0 + 1*(t0 < 0 ? 0 : (t0 > 7 ? 7 : (int64_t)t0))];
// CHECK-NEXT:       b2[5*i0 + i1] = t1;
// CHECK:      static void fc_main_0_k1(const float * restrict b0, const float * restrict b1, float * restrict b2) {
// CHECK:          const float t2 = (t0 * t1);
// CHECK:        fc_main_0_k0((const float *)p[0], (const int64_t *)p[1], (float *)(ws + 0));
// CHECK-NEXT:   fc_main_0_k1((const float *)(ws + 0), (const float *)p[2], (float *)p[3]);
