#pragma once
// Encoder and decoder of the float codec's payload (format in float_format.hpp).
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/float/float_format.hpp"
#include "codecs/float/float_model.hpp"
#include "lcl/workspace.hpp"

namespace lcl::float_format {

// Appends the payload of `input` (elements of `layout`, any length: a ragged end is kept verbatim).
void encode_floats(std::span<const uint8_t> input, const FloatLayout& layout,
                   std::vector<uint8_t>& out, Workspace& workspace,
                   const FloatModelOptions& options = {});

// Decodes a payload into exactly out.size() bytes; throws lcl::Error(kCorruptInput) on any
// inconsistency and never reads or writes outside the two spans.
void decode_floats(std::span<const uint8_t> payload, std::span<uint8_t> out, Workspace& workspace);

// The same with a workspace of their own for the one call (tests and tools).
inline void encode_floats(std::span<const uint8_t> input, const FloatLayout& layout,
                          std::vector<uint8_t>& out, const FloatModelOptions& options = {}) {
  Workspace workspace;
  encode_floats(input, layout, out, workspace, options);
}
inline void decode_floats(std::span<const uint8_t> payload, std::span<uint8_t> out) {
  Workspace workspace;
  decode_floats(payload, out, workspace);
}

}  // namespace lcl::float_format
