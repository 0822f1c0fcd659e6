// emit-triton: argmax, gather_along and cumulative are NumPy steps in the Triton backend
// as well; none produces a kernel.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x32xf32>, %i: tensor<4x3xi64>) -> (tensor<4xi32>, tensor<4x3xf32>, tensor<4x32xf32>) {
  %a = furcate.argmax %x {dimension = 1 : i64, index_dtype = "i32"} : (tensor<4x32xf32>) -> tensor<4xi32>
  %g = furcate.gather_along %x, %i {axis = 1 : i64} : (tensor<4x32xf32>, tensor<4x3xi64>) -> tensor<4x3xf32>
  %c = furcate.cumulative %x {dimension = 1 : i64, kind = "sum", reverse = false} : (tensor<4x32xf32>) -> tensor<4x32xf32>
  func.return %a, %g, %c : tensor<4xi32>, tensor<4x3xf32>, tensor<4x32xf32>
}
// CHECK-DAG:  # numpy step: furcate.argmax
// CHECK-DAG:  # numpy step: furcate.gather_along
// CHECK-DAG:  # numpy step: furcate.cumulative
// CHECK-NOT:  @triton.jit
