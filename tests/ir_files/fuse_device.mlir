// fuse: ops placed on different devices never share a fusion; the fusion takes the
// device of its ops ("default" when they carry none).
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<16xf32>, %y: tensor<16xf32>) -> tensor<16xf32> {
  %a = furcate.add %x, %y attributes {device = "cpu"} : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %b = furcate.exp %a attributes {device = "cpu"} : (tensor<16xf32>) -> tensor<16xf32>
  %c = furcate.mul %b, %y attributes {device = "gpu0"} : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %d = furcate.tanh %c attributes {device = "gpu0"} : (tensor<16xf32>) -> tensor<16xf32>
  func.return %d : tensor<16xf32>
}
// CHECK:      %[[B:.*]] = furcate.fusion "pointwise" on "cpu" (%x, %y)
// CHECK:        furcate.add
// CHECK-NEXT:   furcate.exp
// CHECK-NEXT:   furcate.yield
// CHECK:      %[[D:.*]] = furcate.fusion "pointwise" on "gpu0" (%[[B]], %y)
// CHECK:        furcate.mul
// CHECK-NEXT:   furcate.tanh
// CHECK-NEXT:   furcate.yield
// CHECK:      func.return %[[D]]
