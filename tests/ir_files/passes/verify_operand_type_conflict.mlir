// verifier: a value used with a type other than its definition's (f16 vs f32) is a
// parse error at the conflicting use.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_operand_type_conflict.mlir:8:20: operand is used with type tensor<4xf16>, but has been previously used or defined with type tensor<4xf32>

func.func @main(%x: tensor<4xf32>) -> tensor<4xf16> {
  %a = furcate.neg %x : (tensor<4xf16>) -> tensor<4xf16>
  func.return %a : tensor<4xf16>
}
