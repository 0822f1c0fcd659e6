// emit-triton: reducing dims {0, 2} flattens them into one reduced column index of 32,
// split back into i1 = col // 8 and i2 = col % 8 for the address 8*i0 + 48*i1 + i2.
// RUN: furcate opt %s -p canonicalize,fuse,emit-triton | filecheck %s

func.func @main(%x: tensor<4x6x8xf32>) -> tensor<6xf32> {
  %c = furcate.reduce %x {dimensions = array<i64: 0, 2>, kind = "max"} : (tensor<4x6x8xf32>) -> tensor<6xf32>
  func.return %c : tensor<6xf32>
}
// CHECK:      # reduction kernel main_k0: parallel [6], reduce [4, 8]
// CHECK:        cmask = col < 32
// CHECK-NEXT:   i1 = (col // 8)
// CHECK-NEXT:   i2 = (col % 8)
// CHECK-NEXT:   t0 = tl.load(b0 + (8 * i0 + 48 * i1 + i2), mask=cmask & rmask, other=0)
// CHECK-NEXT:   t1 = tl.reduce({{.*}}, 1, _fc_fmax)[:, None]
