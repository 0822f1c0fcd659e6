// dce: furcate.transfer is pure, so a transfer whose result is unused is removed like any
// other op; the live transfer stays.
// RUN: furcate opt %s -p dce | filecheck %s

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %t = furcate.transfer %x {dst = "gpu:0", src = "cpu"} : (tensor<4xf32>) -> tensor<4xf32>
  %u = furcate.transfer %x {dst = "gpu:1", src = "cpu"} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %u : tensor<4xf32>
}
// CHECK:      %[[U:.*]] = furcate.transfer %x {dst = "gpu:1", src = "cpu"}
// CHECK-NEXT: func.return %[[U]]
// CHECK-NOT:  "gpu:0"
