// emit-c: gather_along (torch.gather) is not compiled by the C backend: it stays a NumPy
// step with no C segment of its own.
// RUN: furcate opt %s -p canonicalize,fuse,emit-c | filecheck %s

func.func @main(%t: tensor<4x10xf32>, %i: tensor<4x3xi64>) -> tensor<4x3xf32> {
  %g = furcate.gather_along %t, %i {axis = 1 : i64} : (tensor<4x10xf32>, tensor<4x3xi64>) -> tensor<4x3xf32>
  func.return %g : tensor<4x3xf32>
}
// CHECK:      // numpy step: furcate.gather_along
// CHECK-NOT:  // segment
