// emit-c: clamp (StableHLO operand order min, x, max) and a GE compare feeding a select
// fuse into one loop; the select is a C conditional on an int mask.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%lo: tensor<4x4xf32>, %x: tensor<4x4xf32>, %hi: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %c = furcate.clamp %lo, %x, %hi : (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %p = furcate.compare %c, %hi {comparison_direction = "GE"} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
  %s = furcate.select %p, %lo, %c : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  func.return %s : tensor<4x4xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, const float * restrict b1, const float * restrict b2, float * restrict b3) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 16; i0++) {
// CHECK:          const float t3 = fc_maxf(t1, t0);
// CHECK-NEXT:     const float t4 = fc_minf(t3, t2);
// CHECK-NEXT:     const int t5 = (t4 >= t2);
// CHECK-NEXT:     const float t6 = (t5 ? t0 : t4);
// CHECK-NEXT:     b3[i0] = t6;
// CHECK-NOT:  fc_main_0_k1
