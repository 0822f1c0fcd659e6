// emit-c: a padded 3x3 stride-1 sum reduce_window (average pooling) followed by a scale is
// one window kernel: ar[] starts at 0.0, padding is skipped reads (q2 = i2 - 1 + k2 bounds
// test, jlo/jhi column clipping), and the multiply is fused into the store loop.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x6x6xf32> {
  %y = furcate.reduce_window %x {kind = "sum", padding = array<i64: 0, 0, 0, 0, 1, 1, 1, 1>, window_dilations = array<i64: 1, 1, 1, 1>, window_dimensions = array<i64: 1, 1, 3, 3>, window_strides = array<i64: 1, 1, 1, 1>} : (tensor<1x1x6x6xf32>) -> tensor<1x1x6x6xf32>
  %n = furcate.constant dense<0.111111> : tensor<1x1x6x6xf32>
  %z = furcate.mul %y, %n : (tensor<1x1x6x6xf32>, tensor<1x1x6x6xf32>) -> tensor<1x1x6x6xf32>
  func.return %z : tensor<1x1x6x6xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1, float * restrict b2) {
// CHECK:                for (int64_t j = 0; j < 6; j++) ar[j] = 0.0;
// CHECK:                  const int64_t q2 = i2*1 + k2*1 - 1;
// CHECK-NEXT:             if (q2 < 0 || q2 >= 6) continue;
// CHECK:                    for (int64_t j = jlo; j < jhi; j++) ar[j] = (ar[j] + src[(jc + j)*1 + off]);
// CHECK:                  const float t0 = ar[i3 - jc];
// CHECK-NEXT:             const float t1 = (float)0x1.c71c540000000p-4;
// CHECK-NEXT:             const float t2 = (t0 * t1);
// CHECK-NEXT:             b1[36*i0 + 36*i1 + 6*i2 + i3] = t2;
// CHECK-NOT:  fc_main_0_k1
