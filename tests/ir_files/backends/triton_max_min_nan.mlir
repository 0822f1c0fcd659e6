// emit-triton: float max/min use tl.maximum/tl.minimum with propagate_nan=ALL (NaN wins),
// matching the C backend's fc_maxf; integer max needs no NaN flag.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<8xf32>, %y: tensor<8xf32>, %i: tensor<8xi32>, %j: tensor<8xi32>) -> (tensor<8xf32>, tensor<8xi32>) {
  %a = furcate.max %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %b = furcate.min %a, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %c = furcate.max %i, %j : (tensor<8xi32>, tensor<8xi32>) -> tensor<8xi32>
  func.return %b, %c : tensor<8xf32>, tensor<8xi32>
}
// CHECK:      def fc_main_k0(
// CHECK:        t2 = tl.maximum(t0, t1, propagate_nan=tl.PropagateNan.ALL)
// CHECK-NEXT:   t3 = tl.minimum(t2, t0, propagate_nan=tl.PropagateNan.ALL)
// CHECK:      def fc_main_k1(
// CHECK:        t2 = tl.maximum(t0, t1){{$}}
