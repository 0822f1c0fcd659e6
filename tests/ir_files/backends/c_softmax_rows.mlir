// emit-c: softmax over rows is one kernel with three passes per row: a -INFINITY/fc_maxf
// reduction, then exp(x - max) summed while cached in a row buffer c3, then the divide
// reading the cache; exp is evaluated once per element.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %m = furcate.reduce %x {dimensions = array<i64: 1>, kind = "max"} : (tensor<4x32xf32>) -> tensor<4xf32>
  %mb = furcate.broadcast_in_dim %m {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 32>} : (tensor<4xf32>) -> tensor<4x32xf32>
  %d = furcate.sub %x, %mb : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %e = furcate.exp %d : (tensor<4x32xf32>) -> tensor<4x32xf32>
  %s = furcate.reduce %e {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x32xf32>) -> tensor<4xf32>
  %sb = furcate.broadcast_in_dim %s {broadcast_dimensions = array<i64: 0>, shape = array<i64: 4, 32>} : (tensor<4xf32>) -> tensor<4x32xf32>
  %y = furcate.div %e, %sb : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  func.return %y : tensor<4x32xf32>
}
// CHECK:      static void fc_main_0_k0(const float * restrict b0, float * restrict b1) {
// CHECK-NEXT:   for (int64_t i0 = 0; i0 < 4; i0++) {
// CHECK-NEXT:     float c3[32];
// CHECK:          for (int l = 0; l < 16; l++) a1[l] = -INFINITY;
// CHECK:              a1[l] = fc_maxf(a1[l], t0);
// CHECK:          const float t1 = (float)s1;
// CHECK:          for (int l = 0; l < 16; l++) a4[l] = 0.0;
// CHECK:              const float t2 = (t0 - t1);
// CHECK-NEXT:         const float t3 = fc_expf(t2);
// CHECK-NEXT:         c3[i1] = t3;
// CHECK-NEXT:         a4[l] = (a4[l] + t3);
// CHECK:          const float t4 = (float)s4;
// CHECK-NEXT:     for (int64_t i1 = 0; i1 < 32; i1++) {
// CHECK-NOT:        fc_expf
// CHECK:            const float t3 = c3[i1];
// CHECK-NEXT:       const float t5 = (t3 / t4);
// CHECK-NEXT:       b1[32*i0 + i1] = t5;
// CHECK-NOT:  fc_main_0_k1
