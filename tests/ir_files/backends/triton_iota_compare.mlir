// emit-triton: iota along dim 1 is the decomposed index i1 cast to int32; the compare
// result is stored as uint8.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x8xi32>) -> tensor<4x8xi1> {
  %i = furcate.iota {iota_dimension = 1 : i64} : () -> tensor<4x8xi32>
  %c = furcate.compare %x, %i {comparison_direction = "EQ"} : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x8xi1>
  func.return %c : tensor<4x8xi1>
}
// CHECK:      i1 = (offs % 8)
// CHECK-NEXT: t0 = tl.load(b0 + (offs), mask=mask, other=0)
// CHECK-NEXT: t1 = (i1).to(tl.int32)
// CHECK-NEXT: t2 = (t0 == t1)
// CHECK-NEXT: tl.store(b1 + (offs), (t2).to(tl.uint8), mask=mask)
