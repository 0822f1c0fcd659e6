// Malformed IR is rejected with the op, the reason and (for parse errors) line:column.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: furcate.add: operand shapes [4] and [3] differ (no implicit broadcasting: insert broadcast_in_dim)

builtin.module {
  func.func @main(%0: tensor<4xf32>, %1: tensor<3xf32>) -> tensor<4xf32> {
    %2 = furcate.add %0, %1 : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
    func.return %2 : tensor<4xf32>
  }
}
