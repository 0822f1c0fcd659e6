// emit-c: a row of 30 (not a multiple of the 16 lanes) runs one blocked pass over 16
// columns, combines the lanes, then finishes columns 16..29 in a scalar tail loop.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x30xf32>) -> tensor<4xf32> {
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x30xf32>) -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}
// CHECK:      for (int64_t r0 = 0; r0 < 16; r0 += 16) {
// CHECK:          const float t0 = b0[30*i0 + i1];
// CHECK:        float s1 = a1[0];
// CHECK-NEXT:   for (int l = 1; l < 16; l++) s1 = (s1 + a1[l]);
// CHECK-NEXT:   for (int64_t i1 = 16; i1 < 30; i1++) {
// CHECK-NEXT:     const float t0 = b0[30*i0 + i1];
// CHECK-NEXT:     s1 = (s1 + t0);
// CHECK-NEXT:   }
// CHECK-NEXT:   const float t1 = (float)s1;
// CHECK-NEXT:   b1[i0] = t1;
