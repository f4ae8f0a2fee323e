#pragma once
// The segments codec's buffers, kept by a workspace (lcl/workspace.hpp) from one chunk to the next.
#include <cstdint>
#include <vector>

#include "lcl/codec.hpp"
#include "util/byte_buffer.hpp"

namespace lcl {

// A group coded in the current chunk: the codec and pieces it was coded for, the codec that coded
// it (the group's, zstd or store) and its payload.
struct GroupPayload {
  const Codec* codec = nullptr;
  std::vector<uint32_t> pieces;
  CodecId used = 0;
  std::vector<uint8_t> coded;
};

struct SegmentsScratch {
  std::vector<uint8_t> gathered;  // one group's pieces, one after the other
  std::vector<uint8_t> trial;     // a small piece coded by zstd alone
  // The groups coded in this chunk under every grouping tried, each once; the entries and their
  // payload buffers stay for the next chunk (fresh chunk-sized buffers cost their page faults).
  std::vector<GroupPayload> payloads;
  ByteBuffer decoded;  // the groups decoded whole, before the pieces move
};

}  // namespace lcl
