// emit-triton: softmax is ONE reduction kernel on a row tile: _fc_maxf reduction with a
// -inf pad, exp of the difference, a masked tl.sum, and a correctly rounded div_rn.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

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
// CHECK:      # kernel fc_main_k0 [reduction]
// CHECK:      def fc_main_k0(b0, b1, BM: tl.constexpr, RB: tl.constexpr):
// CHECK:        t0 = tl.load(b0 + (32 * i0 + i1), mask=cmask & rmask, other=0)
// CHECK-NEXT:   t1 = tl.reduce(tl.where(rmask & cmask, t0, tl.full([], -8388608, tl.int32).to(tl.float32, bitcast=True)), 1, _fc_fmax)[:, None]
// CHECK-NEXT:   t2 = (t0 - t1)
// CHECK-NEXT:   t3 = tl.exp(t2)
// CHECK-NEXT:   t4 = tl.sum(tl.where(rmask & cmask, t3, tl.full([], 0.0, tl.float32)), axis=1)[:, None]
// CHECK-NEXT:   t5 = tl.div_rn(t3, t4)
// CHECK-NEXT:   tl.store(b1 + (32 * i0 + i1), (t5).to(tl.float32), mask=cmask & rmask)
// CHECK-NOT:  @triton.jit
