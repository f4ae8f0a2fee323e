#pragma once
// Encoder and decoder of the delta codec's payload (format in delta_format.hpp).
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/codec.hpp"
#include "lcl/workspace.hpp"

namespace lcl::delta_format {

// Appends the payload of `input` coded against `reference` (same size), which lies at `where`
// (recorded for the decoder). Identical bytes give the identical mode; otherwise `type` must be
// BF16, F16 or F32, or a ggml block type with whole blocks (zstd_level: the ggml-blocks codec's
// zstd comparison), else throws lcl::Error(kUnsupported).
void encode_delta(std::span<const uint8_t> input, std::span<const uint8_t> reference,
                  const ReferenceRange& where, TypeId type, int zstd_level,
                  std::vector<uint8_t>& out, Workspace& workspace);

// The reference a payload names (its size is the chunk's). Throws kCorruptInput.
ReferenceRange read_reference(std::span<const uint8_t> payload, uint64_t chunk_size);

// Decodes into exactly out.size() bytes given the reference's bytes (out.size() of them); throws
// lcl::Error(kCorruptInput) on any inconsistency and never reads or writes outside the spans.
void decode_delta(std::span<const uint8_t> payload, std::span<const uint8_t> reference,
                  std::span<uint8_t> out, Workspace& workspace);

// The same with a workspace of their own for the one call (tests and tools).
inline void encode_delta(std::span<const uint8_t> input, std::span<const uint8_t> reference,
                         const ReferenceRange& where, TypeId type, std::vector<uint8_t>& out) {
  Workspace workspace;
  encode_delta(input, reference, where, type, 3, out, workspace);
}
inline void decode_delta(std::span<const uint8_t> payload, std::span<const uint8_t> reference,
                         std::span<uint8_t> out) {
  Workspace workspace;
  decode_delta(payload, reference, out, workspace);
}

}  // namespace lcl::delta_format
