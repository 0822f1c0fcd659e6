// lower-stablehlo: a matmul is stablehlo.dot_general with contracting dims [1] x [0] and
// precision HIGHEST on both operands (furcate's default is IEEE f32, not tf32).
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%a: tensor<8x32xf32>, %b: tensor<32x16xf32>) -> tensor<8x16xf32> {
  %c = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xf32>, tensor<32x16xf32>) -> tensor<8x16xf32>
  func.return %c : tensor<8x16xf32>
}
// CHECK:      %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0], precision = [HIGHEST, HIGHEST] : (tensor<8x32xf32>, tensor<32x16xf32>) -> tensor<8x16xf32>
// CHECK-NEXT: return %0 : tensor<8x16xf32>
