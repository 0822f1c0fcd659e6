// emit-c: layer_norm is one row kernel: the mean (sum / 16), the centered sum of squares,
// rsqrt(var + eps) as 1/sqrtf, then the affine epilogue reading gamma and beta by column.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<6x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<6x16xf32> {
  %n = furcate.constant dense<16.0> : tensor<6x1xf32>
  %eps = furcate.constant dense<0.00001> : tensor<6x1xf32>
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<6x16xf32>) -> tensor<6xf32>
  %sk = furcate.reshape %s {shape = array<i64: 6, 1>} : (tensor<6xf32>) -> tensor<6x1xf32>
  %mean = furcate.div %sk, %n : (tensor<6x1xf32>, tensor<6x1xf32>) -> tensor<6x1xf32>
  %mb = furcate.broadcast_in_dim %mean {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 6, 16>} : (tensor<6x1xf32>) -> tensor<6x16xf32>
  %xc = furcate.sub %x, %mb : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  %sq = furcate.mul %xc, %xc : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  %vs = furcate.reduce %sq {dimensions = array<i64: 1>, kind = "sum"} : (tensor<6x16xf32>) -> tensor<6xf32>
  %vk = furcate.reshape %vs {shape = array<i64: 6, 1>} : (tensor<6xf32>) -> tensor<6x1xf32>
  %var = furcate.div %vk, %n : (tensor<6x1xf32>, tensor<6x1xf32>) -> tensor<6x1xf32>
  %ve = furcate.add %var, %eps : (tensor<6x1xf32>, tensor<6x1xf32>) -> tensor<6x1xf32>
  %r = furcate.rsqrt %ve : (tensor<6x1xf32>) -> tensor<6x1xf32>
  %rb = furcate.broadcast_in_dim %r {broadcast_dimensions = array<i64: 0, 1>, shape = array<i64: 6, 16>} : (tensor<6x1xf32>) -> tensor<6x16xf32>
  %xn = furcate.mul %xc, %rb : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  %gb = furcate.broadcast_in_dim %g {broadcast_dimensions = array<i64: 1>, shape = array<i64: 6, 16>} : (tensor<16xf32>) -> tensor<6x16xf32>
  %bb = furcate.broadcast_in_dim %b {broadcast_dimensions = array<i64: 1>, shape = array<i64: 6, 16>} : (tensor<16xf32>) -> tensor<6x16xf32>
  %y0 = furcate.mul %xn, %gb : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  %y = furcate.add %y0, %bb : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  func.return %y : tensor<6x16xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, const float * restrict b2, float * restrict b3) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 6; i0++) {
// CHECK:              a1[l] = (a1[l] + t0);
// CHECK:          const float t2 = (float)0x1.0000000000000p+4;
// CHECK-NEXT:     const float t3 = (t1 / t2);
// CHECK:              const float t4 = (t0 - t3);
// CHECK-NEXT:         const float t5 = (t4 * t4);
// CHECK-NEXT:         a6[l] = (a6[l] + t5);
// CHECK:          const float t7 = (t6 / t2);
// CHECK-NEXT:     const float t8 = (float)0x1.4f8b580000000p-17;
// CHECK-NEXT:     const float t9 = (t7 + t8);
// CHECK-NEXT:     const float t10 = (1.0f / sqrtf(t9));
// CHECK-NEXT:     for (int64_t i1 = 0; i1 < 16; i1++) {
// CHECK:            const float t11 = (t4 * t10);
// CHECK-NEXT:       const float t12 = b1[i1];
// CHECK-NEXT:       const float t13 = (t11 * t12);
// CHECK-NEXT:       const float t14 = b2[i1];
// CHECK-NEXT:       const float t15 = (t13 + t14);
// CHECK-NEXT:       b3[16*i0 + i1] = t15;
// CHECK-NOT:  fc_main_0_k1
