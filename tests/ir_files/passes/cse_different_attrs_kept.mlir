// cse: ops that differ only in a property (comparison direction, reduce kind) or in
// operand order of a non-commutative op are distinct and all stay.
// RUN: furcate opt %s -p cse | filecheck %s

func.func @main(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> (tensor<4x8xi1>, tensor<4x8xi1>, tensor<4xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %lt = furcate.compare %x, %y {comparison_direction = "LT"} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
  %gt = furcate.compare %x, %y {comparison_direction = "GT"} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
  %s = furcate.reduce %x {dimensions = array<i64: 1>, kind = "sum"} : (tensor<4x8xf32>) -> tensor<4xf32>
  %m = furcate.reduce %x {dimensions = array<i64: 1>, kind = "max"} : (tensor<4x8xf32>) -> tensor<4xf32>
  %d1 = furcate.sub %x, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %d2 = furcate.sub %y, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %lt, %gt, %s, %m, %d1, %d2 : tensor<4x8xi1>, tensor<4x8xi1>, tensor<4xf32>, tensor<4xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}
// CHECK:      furcate.compare %x, %y {comparison_direction = "LT"}
// CHECK-NEXT: furcate.compare %x, %y {comparison_direction = "GT"}
// CHECK-NEXT: furcate.reduce %x {{.*}}kind = "sum"
// CHECK-NEXT: furcate.reduce %x {{.*}}kind = "max"
// CHECK-NEXT: furcate.sub %x, %y
// CHECK-NEXT: furcate.sub %y, %x
// CHECK-NEXT: func.return %lt, %gt, %s, %m, %d1, %d2
