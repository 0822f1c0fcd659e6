// fuse: scans (cumulative), argmax and concatenate never fuse: they stay top-level
// between the pointwise fusions around them.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4xi64>) {
  %e = furcate.exp %x : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %c = furcate.cumulative %e {dimension = 1 : i64, kind = "sum", reverse = false} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %l = furcate.log %c : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %a = furcate.argmax %l {dimension = 1 : i64, index_dtype = "i64"} : (tensor<4x16xf32>) -> tensor<4xi64>
  func.return %l, %a : tensor<4x16xf32>, tensor<4xi64>
}
// CHECK:      %[[E:.*]] = furcate.fusion "pointwise" on "default" (%x)
// CHECK:      %[[C:.*]] = furcate.cumulative %[[E]]
// CHECK-NEXT: %[[L:.*]] = furcate.fusion "pointwise" on "default" (%[[C]])
// CHECK:        furcate.log
// CHECK:      %[[A:.*]] = furcate.argmax %[[L]]
// CHECK-NEXT: func.return %[[L]], %[[A]]
