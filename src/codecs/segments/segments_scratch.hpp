#pragma once
// The segments codec's buffers, kept by a workspace (lcl/workspace.hpp) from one chunk to the next.
#include <cstdint>
#include <vector>

#include "util/byte_buffer.hpp"

namespace lcl {

struct SegmentsScratch {
  std::vector<uint8_t> gathered;            // one group's pieces, one after the other
  std::vector<uint8_t> trial;               // a small piece coded by zstd alone
  std::vector<std::vector<uint8_t>> coded;  // per group: its payload (float tensors per tensor)
  std::vector<std::vector<uint8_t>> coded_shared;  // the same with small float tensors shared
  ByteBuffer decoded;  // the groups decoded whole, before the pieces move
};

}  // namespace lcl
