#include "codecs/fields/quant_halves.hpp"

#include "codecs/fields/quant_fields.hpp"

namespace lcl::quant {
namespace {

constexpr FieldShape kByteShape{256, 1};

std::vector<uint8_t> low_contexts(std::span<const uint16_t> high_bytes) {
  std::vector<uint8_t> contexts(high_bytes.size());
  for (size_t i = 0; i < high_bytes.size(); ++i)
    contexts[i] = static_cast<uint8_t>(high_bytes[i] >> 2);
  return contexts;
}

}  // namespace

void write_halves(ByteWriter& out, std::span<const uint16_t> values,
                  std::span<const uint8_t> hi_contexts, uint32_t hi_context_count) {
  std::vector<uint16_t> high(values.size()), low(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    high[i] = values[i] >> 8;
    low[i] = values[i] & 0xFF;
  }
  std::vector<ContextCandidate> high_candidates{{{}, kByteShape}};
  if (!hi_contexts.empty()) high_candidates.push_back({hi_contexts, {256, hi_context_count}});
  write_best_field(out, high, high_candidates);
  const std::vector<uint8_t> by_high = low_contexts(high);
  const ContextCandidate low_candidates[] = {{{}, kByteShape}, {by_high, {256, 64}}};
  write_best_field(out, low, low_candidates);
}

void read_halves(ByteReader& in, std::span<const uint8_t> hi_contexts, uint32_t hi_context_count,
                 std::span<uint16_t> values) {
  std::vector<uint16_t> high(values.size()), low(values.size());
  const uint8_t high_choice = read_candidate_index(in, hi_contexts.empty() ? 1 : 2);
  if (high_choice == 0) {
    read_field(in, {}, kByteShape, high);
  } else {
    read_field(in, hi_contexts, {256, hi_context_count}, high);
  }
  const uint8_t low_choice = read_candidate_index(in, 2);
  if (low_choice == 0) {
    read_field(in, {}, kByteShape, low);
  } else {
    read_field(in, low_contexts(high), {256, 64}, low);
  }
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<uint16_t>((high[i] << 8) | low[i]);
}

}  // namespace lcl::quant
