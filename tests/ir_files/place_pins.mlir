// place: with dot_general pinned to a simulated H100 and tanh to the host, the GEMM group
// sits on sim:h100, the tanh group on cpu, and transfers carry x, w there and the product back.
// RUN: furcate opt %s -p 'canonicalize,place{devices=cpu,"sim:h100" pins="dot_general=sim:h100","tanh=cpu"}' | filecheck %s
// RUN: furcate opt %s -p 'canonicalize,place{devices=cpu,"sim:h100"}' | filecheck %s --check-prefix=HOST

func.func @main(%x: tensor<8x32xf32>, %w: tensor<32x32xf32>) -> tensor<8x32xf32> {
  %g = furcate.dot_general %x, %w {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xf32>, tensor<32x32xf32>) -> tensor<8x32xf32>
  %t = furcate.tanh %g : (tensor<8x32xf32>) -> tensor<8x32xf32>
  func.return %t : tensor<8x32xf32>
}
// CHECK:      %[[X:.*]] = furcate.transfer %x {dst = "sim:h100", src = "cpu"}
// CHECK:      %[[W:.*]] = furcate.transfer %w {dst = "sim:h100", src = "cpu"}
// CHECK:      %[[G:.*]] = furcate.fusion "gemm" on "sim:h100" (%[[X]], %[[W]])
// CHECK:      furcate.dot_general
// CHECK:      %[[B:.*]] = furcate.transfer %[[G]] {dst = "cpu", src = "sim:h100"}
// CHECK:      furcate.fusion "pointwise" on "cpu" (%[[B]])
// CHECK:      furcate.tanh

// Unpinned, this small GEMM is cheaper where the data already is: one group on the host.
// HOST:       furcate.fusion "gemm" on "cpu" (%x, %w)
// HOST:       furcate.tanh
// HOST-NOT:   furcate.transfer
