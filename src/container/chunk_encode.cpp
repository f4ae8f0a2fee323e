#include "container/chunk_encode.hpp"

#include <algorithm>
#include <string>

#include "codecs/chunk_encoder.hpp"
#include "codecs/codec_scratch.hpp"
#include "container/format.hpp"
#include "lcl/error.hpp"
#include "util/hash.hpp"

namespace lcl::container {

namespace {

// A delta payload at most this fraction of the chunk is kept without trying the chunk's own codec
// (half: 8 bits per 16-bit weight, well below the ~10.5 bits that any codec needs for trained
// weights alone); a larger one, from a base the chunk has drifted far from, competes with it.
constexpr double kDeltaKeepFraction = 0.5;

// Codes the chunk against its reference with the delta codec; returns false when the delta
// codec declines the bytes (quantized blocks that differ from the base).
bool encode_delta_chunk(std::span<const uint8_t> original, std::span<const uint8_t> reference,
                        const ChunkPlan& plan, std::vector<uint8_t>& payload,
                        Workspace& workspace) {
  EncodeContext context = plan.context;
  context.reference = reference;
  context.reference_range = *plan.reference;
  payload.clear();
  try {
    find_codec(codec_id::kDelta)->encode(original, context, payload, workspace);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kUnsupported) throw;
    return false;
  }
  return true;
}

}  // namespace

void encode_chunk(EncodedChunk& chunk, const ChunkPlan& plan, bool verify, BufferPool<>& payloads,
                  Workspace& workspace, const std::vector<std::unique_ptr<ByteSource>>& base) {
  chunk.payload = payloads.take();
  chunk.checksum = content_checksum(kFormatVersion, chunk.original);
  if (plan.copy_of) {
    // The planner compared the bytes with those of the chunk it names (duplicate_tensors.hpp).
    EncodeContext context;
    context.copy_of = plan.copy_of;
    chunk.payload.clear();
    find_codec(codec_id::kCopy)->encode(chunk.original, context, chunk.payload, workspace);
    chunk.codec = codec_id::kCopy;
    return;
  }
  ContainerScratch& scratch = workspace.scratch().container;
  ByteBuffer& reference = scratch.reference;
  bool delta = false;
  if (plan.reference) {
    reference.resize(plan.reference->size);
    base.at(plan.reference->file)->read(plan.reference->offset, reference);
    delta = encode_delta_chunk(chunk.original, reference, plan, chunk.payload, workspace);
  }
  if (delta && static_cast<double>(chunk.payload.size()) <=
                   kDeltaKeepFraction * static_cast<double>(chunk.original.size())) {
    chunk.codec = codec_id::kDelta;
  } else {
    std::vector<uint8_t>& own = scratch.own;
    chunk.codec =
        encode_chunk_payload(chunk.original, *find_codec(plan.codec), plan.context, own, workspace);
    const uint64_t own_size = chunk.codec == codec_id::kStore ? chunk.original.size() : own.size();
    if (delta && chunk.payload.size() < own_size)
      chunk.codec = codec_id::kDelta;
    else
      chunk.payload.swap(own);
  }
  if (chunk.codec == codec_id::kStore || !verify) return;
  const Codec* codec = find_codec(chunk.codec);
  // Kept by the workspace and not zeroed: the codec writes every byte (or throws).
  ByteBuffer& decoded = scratch.decoded;
  decoded.resize(chunk.original.size());
  if (chunk.codec == codec_id::kDelta)
    codec->decode_with_reference(chunk.payload, reference, decoded, workspace);
  else
    codec->decode(chunk.payload, decoded, workspace);
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
