// lower-stablehlo: an inclusive cumulative sum along dim 1 is a reduce_window of width 8
// with low padding 7 on that dim (0.0 init, add region), stride 1.
// RUN: furcate opt %s -p canonicalize,fuse,lower-stablehlo | filecheck %s

func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c = furcate.cumulative %x {dimension = 1 : i64, kind = "sum", reverse = false} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %c : tensor<4x8xf32>
}
// CHECK:      %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %0 = "stablehlo.reduce_window"(%arg0, %cst) <{padding = dense<{{\[\[}}0, 0], [7, 0]]> : tensor<2x2xi64>, window_dimensions = array<i64: 1, 8>, window_strides = array<i64: 1, 1>}> ({
// CHECK:        %1 = stablehlo.add %arg1, %arg2 : tensor<f32>
// CHECK:      return %0 : tensor<4x8xf32>
