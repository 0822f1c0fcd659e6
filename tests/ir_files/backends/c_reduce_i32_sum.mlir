// emit-c: an i32 sum keeps int32_t lanes with an integer 0 init (no float anywhere) and
// the same 16-lane blocked schedule as floats; its lanes combine as a tree (integer sums
// wrap, so any order gives the same bits).
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x32xi32>) -> tensor<4xi32> {
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x32xi32>) -> tensor<4xi32>
  func.return %s : tensor<4xi32>
}
// CHECK:      static void fc_main_0_k0(const int32_t * restrict b0, int32_t * restrict b1) {
// CHECK:          int32_t a1[16];
// CHECK-NEXT:     for (int l = 0; l < 16; l++) a1[l] = 0;
// CHECK:              a1[l] = (a1[l] + t0);
// CHECK:          for (int w = 8; w > 0; w >>= 1) for (int l = 0; l < w; l++) a1[l] = (a1[l] + a1[l + w]);
// CHECK-NEXT:     int32_t s1 = a1[0];
// CHECK-NEXT:     const int32_t t1 = (int32_t)s1;
// CHECK-NOT:  float
