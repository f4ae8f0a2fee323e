#pragma once
// The codec registry: one row per codec in src/codecs/registry.cpp, the only place a codec is
// added. A row names the codec's stable id, its name, its object and the payload versions and
// quant field modes its decoder accepts (each pinned by a golden archive in tests/golden/ and
// specified in docs/FORMAT.md; tests/container/golden_coverage_test.cpp checks both).
#include <cstdint>
#include <span>
#include <string_view>

#include "lcl/codec.hpp"

namespace lcl {

struct CodecEntry {
  CodecId id;
  std::string_view name;
  const Codec& (*codec)();
  // Values of the payload's first byte (its format version) that the decoder accepts; empty for
  // a codec whose payload has no version byte (store, zstd).
  std::span<const uint8_t> versions;
  // Quant field modes (codecs/fields/quant_fields.hpp) the payload's fields may use; empty for a
  // codec without quant fields.
  std::span<const uint8_t> field_modes;
};

// Every row, in id order.
std::span<const CodecEntry> codec_table();
// The row of `id`, or nullptr.
const CodecEntry* find_codec_entry(CodecId id);
// The codec named `name`, or nullptr.
const Codec* find_codec_named(std::string_view name);

}  // namespace lcl
