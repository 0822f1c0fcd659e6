// canonicalize (and cse / dce alone) remove duplicate and dead ops.
// RUN: furcate opt %s -p canonicalize | filecheck %s
// RUN: furcate opt %s -p cse,dce | filecheck %s
// RUN: furcate opt %s -p dce | filecheck %s --check-prefix=DCE

// CHECK:      func.func @main(%0: tensor<4xf32>, %1: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>)
// CHECK-NEXT:   %2 = furcate.add %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:   %3 = furcate.mul %2, %2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:   %4 = furcate.compare %3, %0 {comparison_direction = "LT"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
// CHECK-NEXT:   func.return %3, %4 : tensor<4xf32>, tensor<4xi1>
// CHECK-NOT:  furcate.exp
// CHECK-NOT:  furcate.sub

// dce alone keeps the duplicate add but drops the dead exp and sub
// DCE:      furcate.add %0, %1
// DCE-NEXT: furcate.add %0, %1
// DCE-NEXT: furcate.mul
// DCE-NOT:  furcate.exp
// DCE-NOT:  furcate.sub

builtin.module {
  func.func @main(%0: tensor<4xf32>, %1: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
    %2 = furcate.add %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %3 = furcate.add %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %4 = furcate.exp %2 : (tensor<4xf32>) -> tensor<4xf32>
    %5 = furcate.sub %4, %3 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %6 = furcate.mul %2, %3 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %7 = furcate.compare %6, %0 {comparison_direction = "LT"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    %8 = furcate.compare %6, %0 {comparison_direction = "LT"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    func.return %6, %8 : tensor<4xf32>, tensor<4xi1>
  }
}
