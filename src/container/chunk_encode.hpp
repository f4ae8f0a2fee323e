#pragma once
// What both compressors (random access and streaming) do per chunk and at the end: encode one
// chunk's bytes with its planned codec, and map the Layout's tensors onto the chunks written.
#include <cstdint>
#include <memory>
#include <vector>

#include "lcl/codec.hpp"
#include "lcl/container.hpp"
#include "util/buffer_pool.hpp"
#include "util/byte_buffer.hpp"

namespace lcl::container {

struct EncodedChunk {
  ByteBuffer original;
  std::vector<uint8_t> payload;  // unused with codec == store: the payload is `original`
  CodecId codec = codec_id::kStore;
  uint64_t checksum = 0;
  std::span<const uint8_t> payload_bytes() const {
    return codec == codec_id::kStore ? std::span<const uint8_t>(original)
                                     : std::span<const uint8_t>(payload);
  }
};

// Encodes chunk.original (already read) with the planned codec, falling back to zstd where the
// codec declines or loses on a small chunk and to store where nothing shrinks; with `verify`,
// decodes the payload again and compares. `payloads` recycles payload buffers. A chunk whose plan
// names a reference in `base` (the base files, in the order of the index's base section) is first
// coded with the delta codec, which is kept when it wins. Scratch memory comes from `workspace`.
void encode_chunk(EncodedChunk& chunk, const ChunkPlan& plan, bool verify, BufferPool<>& payloads,
                  Workspace& workspace, const std::vector<std::unique_ptr<ByteSource>>& base = {});

// The tensors of `layout` that lie inside the first `original_size` bytes, with the chunks that
// cover each (chunks sorted and contiguous from offset 0).
std::vector<TensorEntry> tensor_table(const Layout& layout, const std::vector<ChunkEntry>& chunks,
                                      uint64_t original_size);

}  // namespace lcl::container
