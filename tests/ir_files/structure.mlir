// fusion (+ yield), transfer and constant_ref round-trip; the constant's data stays out of the text.
// RUN: %python -c "import numpy; numpy.savez('%t.npz', w=numpy.full((4,), 0.25, numpy.float32))"
// RUN: furcate opt %s --constants %t.npz -p canonicalize | filecheck %s

// CHECK:      %1 = furcate.constant_ref {ref = "w"} : () -> tensor<4xf32>
// CHECK-NEXT: %2 = furcate.fusion "pointwise" on "cpu" (%0, %1) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT: ^bb0(%3: tensor<4xf32>, %4: tensor<4xf32>):
// CHECK-NEXT:   %5 = furcate.mul %3, %4 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:   %6 = furcate.logistic %5 : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:   furcate.yield %6 : tensor<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %3 = furcate.transfer %2 {dst = "gpu:0", src = "cpu"} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: func.return %3 : tensor<4xf32>
// CHECK-NOT:  0.25

builtin.module {
  func.func @main(%0: tensor<4xf32>) -> tensor<4xf32> {
    %1 = furcate.constant_ref {ref = "w"} : () -> tensor<4xf32>
    %2 = furcate.fusion "pointwise" on "cpu" (%0, %1) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%3: tensor<4xf32>, %4: tensor<4xf32>):
      %5 = furcate.mul %3, %4 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      %6 = furcate.logistic %5 : (tensor<4xf32>) -> tensor<4xf32>
      furcate.yield %6 : tensor<4xf32>
    }
    %7 = furcate.transfer %2 {dst = "gpu:0", src = "cpu"} : (tensor<4xf32>) -> tensor<4xf32>
    func.return %7 : tensor<4xf32>
  }
}
