// split: a placed @main becomes one function per device run (@part<k>_<device>, k its
// position among the segments, transfers included, as the driver's part_NN dumps), called
// in order with the transfers between the calls; argument names stay. (The constant
// multiply is the GEMM's fused epilogue, on the GPU part.)
// RUN: furcate opt %s -p 'canonicalize,place{devices=cpu,"sim:h100" pins="dot_general=sim:h100","tanh=cpu"},split' | filecheck %s
// RUN: furcate opt %s -p 'canonicalize,place{devices=cpu,"sim:h100"},split' | filecheck %s --check-prefix=ONE

func.func @main(%x: tensor<8x32xf32>, %w: tensor<32x32xf32>) -> tensor<8x32xf32> {
  %g = furcate.dot_general %x, %w {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xf32>, tensor<32x32xf32>) -> tensor<8x32xf32>
  %c = furcate.constant dense<2.0> : tensor<8x32xf32>
  %m = furcate.mul %g, %c : (tensor<8x32xf32>, tensor<8x32xf32>) -> tensor<8x32xf32>
  %t = furcate.tanh %m : (tensor<8x32xf32>) -> tensor<8x32xf32>
  func.return %t : tensor<8x32xf32>
}
// CHECK:      func.func @part2_sim_h100(%0: tensor<8x32xf32>, %1: tensor<32x32xf32>) -> tensor<8x32xf32> attributes {furcate.device = "sim:h100"}
// CHECK:        furcate.fusion "gemm" on "sim:h100"
// CHECK:          furcate.constant
// CHECK:          furcate.mul
// CHECK:      func.func @part4_cpu(%0: tensor<8x32xf32>) -> tensor<8x32xf32> attributes {furcate.device = "cpu"}
// CHECK:        furcate.tanh
// CHECK:      func.func @main(%x: tensor<8x32xf32>, %w: tensor<32x32xf32>) -> tensor<8x32xf32> {
// CHECK-NEXT:   %[[X:.*]] = furcate.transfer %x {dst = "sim:h100", src = "cpu"}
// CHECK-NEXT:   %[[W:.*]] = furcate.transfer %w {dst = "sim:h100", src = "cpu"}
// CHECK-NEXT:   %[[G:.*]] = func.call @part2_sim_h100(%[[X]], %[[W]])
// CHECK-NEXT:   %[[B:.*]] = furcate.transfer %[[G]] {dst = "cpu", src = "sim:h100"}
// CHECK-NEXT:   %[[T:.*]] = func.call @part4_cpu(%[[B]])
// CHECK-NEXT:   func.return %[[T]]

// All on the host: one part, no transfers.
// ONE:        func.func @part0_cpu(%0: tensor<8x32xf32>, %1: tensor<32x32xf32>)
// ONE-NOT:    func.func @part
// ONE:        func.func @main
// ONE-NEXT:     func.call @part0_cpu(%x, %w)
// ONE-NOT:      furcate.transfer
