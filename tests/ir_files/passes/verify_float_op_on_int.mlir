// verifier: a float-only op (exp) on an integer operand is rejected naming the dtype.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_float_op_on_int.mlir:7:3: furcate.exp: operand dtype i32 is not a float type

func.func @main(%x: tensor<4xi32>) -> tensor<4xi32> {
  %a = furcate.exp %x : (tensor<4xi32>) -> tensor<4xi32>
  func.return %a : tensor<4xi32>
}
