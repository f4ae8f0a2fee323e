#include "container/chunk_encode.hpp"

#include <algorithm>
#include <string>

#include "codecs/chunk_encoder.hpp"
#include "container/format.hpp"
#include "lcl/error.hpp"
#include "util/hash.hpp"

namespace lcl::container {

void encode_chunk(EncodedChunk& chunk, const ChunkPlan& plan, bool verify, BufferPool<>& payloads) {
  chunk.payload = payloads.take();
  chunk.checksum = content_checksum(kFormatVersion, chunk.original);
  chunk.codec =
      encode_chunk_payload(chunk.original, *find_codec(plan.codec), plan.context, chunk.payload);
  if (chunk.codec == codec_id::kStore || !verify) return;
  const Codec* codec = find_codec(chunk.codec);
  // Reused per thread and not zeroed: the codec writes every byte (or throws).
  thread_local ByteBuffer decoded;
  decoded.resize(chunk.original.size());
  codec->decode(chunk.payload, decoded);
  if (!std::equal(decoded.begin(), decoded.end(), chunk.original.begin(), chunk.original.end()))
    throw Error(ErrorKind::kUnsupported, "internal error: codec " + std::string(codec->name()) +
                                             " did not reproduce the chunk at offset " +
                                             std::to_string(plan.offset));
}

std::vector<TensorEntry> tensor_table(const Layout& layout, const std::vector<ChunkEntry>& chunks,
                                      uint64_t original_size) {
  std::vector<TensorEntry> tensors;
  for (const Region& region : layout.regions) {
    // Tensors carried as opaque bytes (an unknown type) keep their entry, so that info lists them
    // and extract finds them.
    if (region.kind != RegionKind::kTensor && region.tensor.name.empty()) continue;
    if (region.offset > original_size || region.size > original_size - region.offset) continue;
    TensorEntry t;
    t.info = region.tensor;
    t.original_offset = region.offset;
    t.original_size = region.size;
    // Chunks are sorted and contiguous: find the first that ends after the tensor starts.
    auto first = std::upper_bound(chunks.begin(), chunks.end(), region.offset,
                                  [](uint64_t offset, const ChunkEntry& c) {
                                    return offset < c.original_offset + c.original_size;
                                  });
    auto last =
        std::lower_bound(first, chunks.end(), region.offset + region.size,
                         [](const ChunkEntry& c, uint64_t end) { return c.original_offset < end; });
    t.first_chunk = static_cast<uint32_t>(first - chunks.begin());
    t.chunk_count = region.size == 0 ? 0 : static_cast<uint32_t>(last - first);
    tensors.push_back(std::move(t));
  }
  return tensors;
}

}  // namespace lcl::container
