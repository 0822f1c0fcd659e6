// emit-c: a 2x2 stride-2 max reduce_window (max pooling) is compiled: a per-output-row
// accumulator ar[] starts at -INFINITY, window rows outside the input are skipped, and
// fc_maxf combines the strided input reads.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %y = furcate.reduce_window %x {kind = "max", padding = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, window_dilations = array<i64: 1, 1, 1, 1>, window_dimensions = array<i64: 1, 1, 2, 2>, window_strides = array<i64: 1, 1, 2, 2>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1, float * restrict b2) {
// CHECK:            for (int64_t i2 = 0; i2 < 4; i2++) {
// CHECK:                for (int64_t j = 0; j < 4; j++) ar[j] = -INFINITY;
// CHECK:                for (int64_t k2 = 0; k2 < 2; k2++) {
// CHECK-NEXT:             const int64_t q2 = i2*2 + k2*1 - 0;
// CHECK-NEXT:             if (q2 < 0 || q2 >= 8) continue;
// CHECK:                    for (int64_t j = jlo; j < jhi; j++) ar[j] = fc_maxf(ar[j], src[(jc + j)*2 + off]);
// CHECK:                  b1[32*i0 + 16*i1 + 4*i2 + i3] = t0;
// CHECK-NOT:  numpy step
