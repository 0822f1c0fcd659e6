// emit-triton: f64 stays f64: no widening on load, tl.exp on doubles, store as tl.float64;
// float constants are emitted bit-exactly as int64 bitcasts (1.0 here, in the sign op).
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x8xf64>, %y: tensor<4x8xf64>) -> tensor<4x8xf64> {
  %a = furcate.mul %x, %y : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  %b = furcate.exp %a : (tensor<4x8xf64>) -> tensor<4x8xf64>
  %c = furcate.sign %b : (tensor<4x8xf64>) -> tensor<4x8xf64>
  func.return %c : tensor<4x8xf64>
}
// CHECK:      def fc_main_k0(b0, b1, b2, BLOCK: tl.constexpr):
// CHECK:        t0 = tl.load(b0 + (offs), mask=mask, other=0){{$}}
// CHECK-NEXT:   t1 = tl.load(b1 + (offs), mask=mask, other=0){{$}}
// CHECK-NEXT:   t2 = (t0 * t1)
// CHECK-NEXT:   t3 = tl.exp(t2)
// CHECK-NEXT:   t4 = tl.where(t3 > tl.full([], 0, tl.int64).to(tl.float64, bitcast=True), tl.full([], 4607182418800017408, tl.int64).to(tl.float64, bitcast=True), {{.*}}, t3))
// CHECK-NEXT:   tl.store(b2 + (offs), (t4).to(tl.float64), mask=mask)
// CHECK-NOT:  tl.float32
// CHECK-NOT:  @triton.jit
