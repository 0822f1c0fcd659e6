// emit-triton: ops the Triton backend does not compile are NumPy steps, in program order:
// gather, concatenate and pad here; only the final exp is a Triton kernel (fc_main_k3).
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%t: tensor<10x4xf32>, %i: tensor<3xi32>, %y: tensor<3x4xf32>) -> tensor<8x6xf32> {
  %g = furcate.gather %t, %i {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi32>) -> tensor<3x4xf32>
  %c = furcate.concatenate %g, %y {dimension = 0 : i64} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<6x4xf32>
  %z = furcate.constant dense<0.0> : tensor<f32>
  %p = furcate.pad %c, %z {edge_padding_high = array<i64: 1, 1>, edge_padding_low = array<i64: 1, 1>, interior_padding = array<i64: 0, 0>} : (tensor<6x4xf32>, tensor<f32>) -> tensor<8x6xf32>
  %e = furcate.exp %p : (tensor<8x6xf32>) -> tensor<8x6xf32>
  func.return %e : tensor<8x6xf32>
}
// CHECK:      # numpy step: furcate.gather
// CHECK:      # numpy step: furcate.concatenate
// CHECK:      # numpy step: furcate.pad
// CHECK:      # kernel fc_main_k3 [pointwise]
// CHECK:      def fc_main_k3(b0, b1, BLOCK: tl.constexpr):
// CHECK:        mask = offs < 48
// CHECK:        t1 = tl.exp(t0)
// CHECK-NOT:  @triton.jit
