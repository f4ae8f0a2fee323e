#pragma once
// Baselines for float tensors, for the benchmark only (never written into .lcl files): what other
// tools do, reimplemented on this project's rANS coder so that only the modelling differs.
//   zipnn-like     byte planes grouped (all high bytes, then the next, ...), each plane
//                  entropy-coded with its own order-0 table, stored raw where that is not smaller
//                  (ZipNN's byte grouping; ZipNN itself uses Huffman).
//   dfloat11-like  the exponent field entropy-coded, sign and mantissa stored raw (DFloat11's
//                  scheme; DFloat11 itself uses Huffman).
//   byte-split     16-bit floats only: high and low byte each entropy-coded with an order-0 table
//                  (the reference project's method).
// zstd / xz whole-tensor baselines live with the benchmark suite.
#include <memory>
#include <vector>

#include "bench/method.hpp"

namespace lcl::bench {

std::vector<std::unique_ptr<Method>> float_baseline_methods();

}  // namespace lcl::bench
