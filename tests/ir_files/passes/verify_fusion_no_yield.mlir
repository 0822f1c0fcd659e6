// verifier: a fusion region must end in furcate.yield.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: verify_fusion_no_yield.mlir:7:3: furcate.fusion: {{.*}}furcate.neg terminates block in single-block region but is not a terminator

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = furcate.fusion "pointwise" on "cpu" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%b: tensor<4xf32>):
    %c = furcate.neg %b : (tensor<4xf32>) -> tensor<4xf32>
  }
  func.return %a : tensor<4xf32>
}
