// Which part of an archive's payload each tensor accounts for (lcl info's per-tensor sizes).
#include <algorithm>
#include <vector>

#include "codecs/segments/segments_codec.hpp"
#include "lcl/container.hpp"

namespace lcl {

namespace {

// How chunk c's payload splits over its original bytes: a segments chunk by its pieces (each
// type's small tensors are coded together, so each piece is charged its share of its own
// group's payload), any other chunk as a whole.
std::vector<PayloadShare> chunk_shares(const Archive& archive, const ChunkEntry& chunk) {
  if (chunk.codec == codec_id::kSegments) {
    std::vector<uint8_t> payload(chunk.payload_size);
    archive.source().read(chunk.payload_offset, payload);
    return segments_payload_shares(payload, chunk.original_size);
  }
  return {{0, chunk.original_size, static_cast<double>(chunk.payload_size)}};
}

}  // namespace

std::vector<double> Archive::tensor_payload_bytes() const {
  // A chunk's shares are computed when a tensor first needs them: a segments chunk holds many
  // tensors, and its shares come from reading its payload.
  std::vector<std::optional<std::vector<PayloadShare>>> shares(index_.chunks.size());
  std::vector<double> bytes;
  bytes.reserve(index_.tensors.size());
  for (const TensorEntry& t : index_.tensors) {
    double total = 0;
    for (uint32_t c = t.first_chunk; c < t.first_chunk + t.chunk_count; ++c) {
      const ChunkEntry& chunk = index_.chunks[c];
      if (!shares[c]) shares[c] = chunk_shares(*this, chunk);
      for (const PayloadShare& share : *shares[c]) {
        const uint64_t from = chunk.original_offset + share.offset;
        const uint64_t begin = std::max(from, t.original_offset);
        const uint64_t end = std::min(from + share.size, t.original_offset + t.original_size);
        if (end > begin && share.size > 0)
          total += share.payload_bytes * static_cast<double>(end - begin) /
                   static_cast<double>(share.size);
      }
    }
    bytes.push_back(total);
  }
  return bytes;
}

}  // namespace lcl
