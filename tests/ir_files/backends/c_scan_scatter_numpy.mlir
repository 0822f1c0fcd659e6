// emit-c: cumulative (scan) and scatter_add are NumPy steps in the C backend; the steps
// appear in program order and neither gets a C kernel.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%t: tensor<10x4xf32>, %i: tensor<6xi32>, %u: tensor<6x4xf32>) -> tensor<10x4xf32> {
  %c = furcate.cumulative %t {dimension = 1 : i64, kind = "sum", reverse = false} : (tensor<10x4xf32>) -> tensor<10x4xf32>
  %s = furcate.scatter_add %c, %i, %u {axis = 0 : i64} : (tensor<10x4xf32>, tensor<6xi32>, tensor<6x4xf32>) -> tensor<10x4xf32>
  func.return %s : tensor<10x4xf32>
}
// CHECK:      // numpy step: furcate.cumulative
// CHECK:      // numpy step: furcate.scatter_add
// CHECK-NOT:  // segment
