#pragma once
// Buffers of the entropy layer's stream writers, kept by a codec's workspace from one chunk to
// the next (a fresh multi-MiB buffer per chunk costs more in page faults than the coding).
#include <cstdint>
#include <vector>

#include "util/byte_buffer.hpp"

namespace lcl::entropy {

struct CoderScratch {
  // encode_interleaved's words (rans_interleaved.hpp): not zeroed when they grow.
  std::vector<uint16_t, DefaultInitAllocator<uint16_t>> words;
  // append_packed's packed fields (bit_pack.hpp).
  std::vector<uint8_t> packed;
};

}  // namespace lcl::entropy
