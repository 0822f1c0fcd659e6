// emit-triton: float max/min call _fc_fmax/_fc_fmin (tl.maximum/tl.minimum with
// propagate_nan=ALL, and -0.0 < +0.0 on a tie of zeros), matching the C backend's
// fc_maxf; integer max is plain tl.maximum.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<8xf32>, %y: tensor<8xf32>, %i: tensor<8xi32>, %j: tensor<8xi32>) -> (tensor<8xf32>, tensor<8xi32>) {
  %a = furcate.max %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %b = furcate.min %a, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %c = furcate.max %i, %j : (tensor<8xi32>, tensor<8xi32>) -> tensor<8xi32>
  func.return %b, %c : tensor<8xf32>, tensor<8xi32>
}
// CHECK:      def fc_main_k0(
// CHECK:        t2 = _fc_fmax(t0, t1)
// CHECK-NEXT:   t3 = _fc_fmin(t2, t0)
// CHECK:      def fc_main_k1(
// CHECK:        t2 = tl.maximum(t0, t1){{$}}
