// lower-stablehlo: a bf16 dot_general takes bf16 operands but yields f32 (the accumulation
// type), converted to bf16 once before the bf16 tanh epilogue.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%a: tensor<8x32xbf16>, %b: tensor<32x16xbf16>) -> tensor<8x16xbf16> {
  %c = furcate.dot_general %a, %b {lhs_batching_dimensions = array<i64>, rhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x32xbf16>, tensor<32x16xbf16>) -> tensor<8x16xbf16>
  %t = furcate.tanh %c : (tensor<8x16xbf16>) -> tensor<8x16xbf16>
  func.return %t : tensor<8x16xbf16>
}
// CHECK:      %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0], precision = [HIGHEST, HIGHEST] : (tensor<8x32xbf16>, tensor<32x16xbf16>) -> tensor<8x16xf32>
// CHECK-NEXT: %1 = stablehlo.convert %0 : (tensor<8x16xf32>) -> tensor<8x16xbf16>
// CHECK-NEXT: %2 = stablehlo.tanh %1 : tensor<8x16xbf16>
// CHECK-NEXT: return %2 : tensor<8x16xbf16>
