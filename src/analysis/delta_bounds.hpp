#pragma once
// `lcl atlas --base`: how predictable a fine-tune's tensors are given its base model. For 16-bit
// float tensors:
// Order-0 entropies, bits per weight, of each tensor's words alone, of their XOR with the base's
// words, of the difference of the two ordered integer codes (a small move of a weight is a small
// difference), and of that difference given the base word's exponent (what the delta codec
// conditions on). Tensors are matched by name, type and shape.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lcl::analysis {

struct DeltaBoundRow {
  std::string file;  // of the fine-tune
  std::string tensor;
  std::string dtype;
  uint64_t elements = 0;
  double changed = 0;         // fraction of words that differ from the base
  double alone = 0;           // H(word), bits
  double xor_base = 0;        // H(word XOR base word)
  double difference = 0;      // H(ordered(word) - ordered(base word))
  double given_exponent = 0;  // H(difference | base word's exponent)
};

// A quantized tensor (any ggml block type) given its base: the order-0 entropy of its field
// differences from the base's, field by field of the block layout (f16 scales as 16-bit words,
// bytes, 4-bit values), which is what the delta codec's block mode codes.
struct BlockDeltaBoundRow {
  std::string file;
  std::string tensor;
  std::string dtype;
  uint64_t bytes = 0;
  uint64_t values = 0;  // field values: words, bytes and nibbles
  double changed = 0;   // fraction of them that differ from the base's
  double bits = 0;      // the order-0 entropies of the differences, summed over the fields
};

struct DeltaBounds {
  std::vector<DeltaBoundRow> floats;       // every BF16 / F16 tensor
  std::vector<BlockDeltaBoundRow> blocks;  // every tensor of a ggml block type
};

// Rows for the tensors of the model files under `tuned` that `base` (a file, directory or
// index.json) holds with the same name, type and shape, in one pass over the files.
DeltaBounds build_delta_bounds(
    const std::vector<std::filesystem::path>& tuned, const std::filesystem::path& base,
    const std::function<void(const std::filesystem::path&)>& on_file = {});

nlohmann::json to_json(const DeltaBoundRow& row);
nlohmann::json to_json(const BlockDeltaBoundRow& row);
// One line per tensor, then the byte-weighted totals per file and overall (ratio: tensor bits /
// entropy bits).
std::string format_block_delta_bounds_table(const std::vector<BlockDeltaBoundRow>& rows);
// One line per tensor, then the element-weighted totals per file and overall (with the ratio
// 16 / bits each bound implies).
std::string format_delta_bounds_table(const std::vector<DeltaBoundRow>& rows);

}  // namespace lcl::analysis
