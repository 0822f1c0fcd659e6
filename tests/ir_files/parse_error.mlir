// A malformed constant element is reported at its line and column.
// RUN: not furcate opt %s 2>&1 | filecheck %s

// CHECK: parse_error.mlir:9:44
// CHECK: bad f32 constant element 'fnord'

builtin.module {
  func.func @main() -> tensor<3xf32> {
    %0 = furcate.constant dense<[1.0, 2.0, fnord]> : tensor<3xf32>
    func.return %0 : tensor<3xf32>
  }
}
