// emit-triton: layer_norm is one reduction kernel: two masked row sums (mean, variance),
// rsqrt as 1/sqrt_rn, and gamma/beta loaded by column with the column mask only.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

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
// CHECK:      # kernel fc_main_k0 [reduction]
// CHECK:      def fc_main_k0(b0, b1, b2, b3, BM: tl.constexpr, RB: tl.constexpr):
// CHECK:        rmask = row < 6
// CHECK:        cmask = col < 16
// CHECK:        t1 = tl.sum(tl.where(rmask & cmask, t0, tl.full([], 0.0, tl.float32)), axis=1)[:, None]
// CHECK:        t3 = tl.div_rn(t1, t2)
// CHECK-NEXT:   t4 = (t0 - t3)
// CHECK-NEXT:   t5 = (t4 * t4)
// CHECK-NEXT:   t6 = tl.sum(tl.where(rmask & cmask, t5, tl.full([], 0.0, tl.float32)), axis=1)[:, None]
// CHECK:        t10 = (1.0 / tl.sqrt_rn(t9))
// CHECK-NEXT:   t11 = (t4 * t10)
// CHECK-NEXT:   t12 = tl.load(b1 + (i1), mask=cmask, other=0)
// CHECK:        t14 = tl.load(b2 + (i1), mask=cmask, other=0)
// CHECK:        tl.store(b3 + (16 * i0 + i1), (t15).to(tl.float32), mask=cmask & rmask)
// CHECK-NOT:  @triton.jit
