// fuse: an integer (i32) elementwise chain with a compare and select fuses into one
// pointwise region; the i1 intermediate never leaves it.
// RUN: furcate opt %s -p fuse | filecheck %s

func.func @main(%x: tensor<128xi32>, %y: tensor<128xi32>) -> tensor<128xi32> {
  %a = furcate.add %x, %y : (tensor<128xi32>, tensor<128xi32>) -> tensor<128xi32>
  %m = furcate.mul %a, %x : (tensor<128xi32>, tensor<128xi32>) -> tensor<128xi32>
  %c = furcate.compare %m, %y {comparison_direction = "GT"} : (tensor<128xi32>, tensor<128xi32>) -> tensor<128xi1>
  %s = furcate.select %c, %m, %y : (tensor<128xi1>, tensor<128xi32>, tensor<128xi32>) -> tensor<128xi32>
  func.return %s : tensor<128xi32>
}
// CHECK:      %[[F:.*]] = furcate.fusion "pointwise" on "default" (%x, %y) : (tensor<128xi32>, tensor<128xi32>) -> tensor<128xi32> {
// CHECK:        furcate.add
// CHECK-NEXT:   furcate.mul
// CHECK-NEXT:   furcate.compare {{.*}} -> tensor<128xi1>
// CHECK-NEXT:   furcate.select
// CHECK-NEXT:   furcate.yield %{{.*}} : tensor<128xi32>
// CHECK:      func.return %[[F]]
// CHECK-NOT:  furcate.fusion
