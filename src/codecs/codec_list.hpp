#pragma once
// Accessors of the codec singletons, one per codec file; registry.cpp lists them.
#include "lcl/codec.hpp"

namespace lcl {

const Codec& store_codec();
const Codec& zstd_codec();
const Codec& float_codec();
const Codec& q4k_codec();
const Codec& q6k_codec();
const Codec& q8_0_codec();
const Codec& ggml_block_codec();
const Codec& segments_codec();
const Codec& delta_codec();

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

}  // namespace lcl
