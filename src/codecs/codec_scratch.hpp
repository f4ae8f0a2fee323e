#pragma once
// What a Workspace (lcl/workspace.hpp) holds: one scratch struct per codec that keeps buffers
// between chunks, the entropy coders' buffers they share, and the container's per-chunk buffers.
// A member is used by one function at a time (nested calls use other members), so a codec that
// calls another (segments, the chunk encoder's zstd trials) passes the same workspace down.
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/delta/delta_scratch.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "codecs/float/float_scratch.hpp"
#include "codecs/fp8/fp8_scratch.hpp"
#include "codecs/segments/segments_scratch.hpp"
#include "codecs/zstd/zstd_util.hpp"
#include "entropy/coder_scratch.hpp"
#include "lcl/workspace.hpp"
#include "util/byte_buffer.hpp"

namespace lcl {

// The chunk encoder's (chunk_encoder.hpp): the sample and zstd trials that pick a chunk's codec.
struct ChunkEncoderScratch {
  std::vector<uint8_t> sample, sample_coded, trial;
};

// The container's, per chunk: the frame read from the archive, the reference bytes of a delta
// chunk, the chunk's own payload beside a delta one, and the chunk decoded again to verify it;
// the whole chunk a copy takes part of its bytes from.
struct ContainerScratch {
  ByteBuffer frame, reference;
  // The decoded bytes of the chunk that copy chunks last named (copied_chunk; none after a
  // failure), kept so that further copies of it are served without decoding it again.
  ByteBuffer copied;
  static constexpr size_t kNoChunk = ~size_t{0};
  size_t copied_chunk = kNoChunk;
  // The `size` decoded bytes of chunk `number`: those kept from the last call, or decode(buffer)'s.
  template <class Decode>
  std::span<const uint8_t> copied_from(size_t number, uint64_t size, const Decode& decode) {
    if (copied_chunk != number) {
      copied_chunk = kNoChunk;  // until decode returns
      copied.resize(size);
      decode(std::span<uint8_t>(copied));
      copied_chunk = number;
    }
    return copied;
  }
  std::vector<uint8_t> own;
  ByteBuffer decoded;
};

struct CodecScratch {
  entropy::CoderScratch coder;
  float_format::FloatEncodeScratch float_encode;
  float_format::FloatDecodeScratch float_decode;
  fp8_format::Fp8DecodeScratch fp8_decode;
  delta_format::DeltaEncodeScratch delta_encode;
  delta_format::DeltaDecodeScratch delta_decode;
  quant::FieldScratch fields;
  SegmentsScratch segments;
  ZstdContexts zstd;
  ChunkEncoderScratch chunk_encoder;
  ContainerScratch container;
};

}  // namespace lcl
