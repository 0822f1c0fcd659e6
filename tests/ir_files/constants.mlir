// Special float values and integer extremes round-trip bit-exactly through the CLI.
// RUN: furcate opt %s | furcate opt - | filecheck %s

// CHECK: furcate.constant dense<[inf, -inf, nan, 0x7FC00001, 0xFFC00000, -0.0, 1.0e-45, 3.4028235e38]> : tensor<8xf32>
// the shortest text that reads back to the same f16 / bf16 bits
// CHECK: furcate.constant dense<[65500.0, -65500.0, 0.00000006, 0.00006104, 0x7E01]> : tensor<5xf16>
// CHECK: furcate.constant dense<[3.3895314e38, 9.1835e-41, 1.1754944e-38, -0.0]> : tensor<4xbf16>
// CHECK: furcate.constant dense<[5.0e-324, 0.1, 0x7FF8000000000001]> : tensor<3xf64>
// CHECK: furcate.constant dense<[-9223372036854775808, 9223372036854775807, -1, 0]> : tensor<4xi64>
// CHECK: furcate.constant dense<{{\[\[}}true, false], [false, true]]> : tensor<2x2xi1>
// CHECK: furcate.constant dense<-0.0> : tensor<2x3xf32>
// CHECK: furcate.constant dense<[]> : tensor<0xi8>

builtin.module {
  func.func @main() -> (tensor<8xf32>, tensor<5xf16>, tensor<4xbf16>, tensor<3xf64>, tensor<4xi64>, tensor<2x2xi1>, tensor<2x3xf32>, tensor<0xi8>) {
    %0 = furcate.constant dense<[inf, -inf, nan, 0x7FC00001, 0xFFC00000, -0.0, 1.0e-45, 3.4028235e38]> : tensor<8xf32>
    %1 = furcate.constant dense<[65504.0, -65504.0, 6.0e-08, 6.104e-05, 0x7E01]> : tensor<5xf16>
    %2 = furcate.constant dense<[3.3895314e38, 9.2e-41, 1.1754944e-38, -0.0]> : tensor<4xbf16>
    %3 = furcate.constant dense<[5.0e-324, 0.1, 0x7FF8000000000001]> : tensor<3xf64>
    %4 = furcate.constant dense<[-9223372036854775808, 9223372036854775807, -1, 0]> : tensor<4xi64>
    %5 = furcate.constant dense<[[true, false], [false, true]]> : tensor<2x2xi1>
    %6 = furcate.constant dense<-0.0> : tensor<2x3xf32>
    %7 = furcate.constant dense<[]> : tensor<0xi8>
    func.return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<8xf32>, tensor<5xf16>, tensor<4xbf16>, tensor<3xf64>, tensor<4xi64>, tensor<2x2xi1>, tensor<2x3xf32>, tensor<0xi8>
  }
}
