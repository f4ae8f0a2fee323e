#pragma once
// The segments codec (id 7): a chunk of several pieces, each type's pieces coded together.
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& segments_codec();
// Payload versions the decoder accepts (docs/FORMAT.md, segments).
inline constexpr uint8_t kSegmentsVersions[] = {1};

// How a segments payload's bytes split over the chunk's original bytes: per piece (offset in the
// chunk, size), its share of its group's payload plus a share of the header by size. Throws
// lcl::Error(kCorruptInput) for a payload the decoder would reject in its header.
struct PayloadShare {
  uint64_t offset = 0;
  uint64_t size = 0;
  double payload_bytes = 0;
};
std::vector<PayloadShare> segments_payload_shares(std::span<const uint8_t> payload,
                                                  uint64_t chunk_size);

// The groups of a segments payload: each one's codec id, payload and original size, in payload
// order (for tools that inspect the payloads inside, such as the golden coverage test).
struct SegmentsGroup {
  CodecId codec = 0;
  std::span<const uint8_t> payload;
  uint64_t original_size = 0;
};
std::vector<SegmentsGroup> segments_groups(std::span<const uint8_t> payload, uint64_t chunk_size);

}  // namespace lcl
