// safetensors: u64 header length N, N bytes of JSON, then the data section. The JSON is checked
// strictly (see layout.hpp); a tensor whose dtype this version does not know keeps its extent but
// becomes an opaque region, so the file still round-trips.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "formats/checked_math.hpp"
#include "formats/region_assembly.hpp"
#include "lcl/error.hpp"
#include "lcl/layout.hpp"

namespace lcl {
namespace {

// Real headers are a few KiB to a few MiB; the reference implementation refuses more than 100 MB.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;
// JSON nesting of a valid header is 3 (root, tensor, shape); anything deep is hostile.
constexpr int kMaxJsonDepth = 16;

using json = nlohmann::json;

// The deepest nesting of arrays and objects in a JSON text (brackets inside strings not counted).
// One linear pass before parsing: nlohmann's depth-limiting parser callback rescans the parent
// object for discarded values after every child, which made headers quadratic in the tensor count
// (40,000 tensors took 20 s).
int json_nesting_depth(const std::vector<uint8_t>& text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (uint8_t c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;  // unbalanced text is the parser's to reject
    }
  }
  return deepest;
}

json parse_header_json(const std::vector<uint8_t>& text, const std::string& file) {
  // Refusing deep nesting before parsing keeps a header of 100 MiB of '[' from building a
  // hundred million nested arrays.
  if (json_nesting_depth(text) > kMaxJsonDepth)
    throw_corrupt(file + ": safetensors header nests too deeply");
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw_corrupt(file + ": safetensors header is not valid JSON (" + e.what() + ")");
  }
}

uint64_t unsigned_field(const json& value, const std::string& what) {
  if (!value.is_number_unsigned()) throw_corrupt(what + " is not a non-negative integer");
  return value.get<uint64_t>();
}

Region parse_tensor(const std::string& name, const json& entry, uint64_t data_start,
                    uint64_t data_size, const std::string& file) {
  const std::string where = file + ": tensor '" + name + "'";
  if (!entry.is_object()) throw_corrupt(where + " is not a JSON object");
  auto dtype_it = entry.find("dtype");
  auto shape_it = entry.find("shape");
  auto offsets_it = entry.find("data_offsets");
  if (dtype_it == entry.end() || !dtype_it->is_string())
    throw_corrupt(where + " has no dtype string");
  if (shape_it == entry.end() || !shape_it->is_array())
    throw_corrupt(where + " has no shape array");
  if (offsets_it == entry.end() || !offsets_it->is_array() || offsets_it->size() != 2)
    throw_corrupt(where + " has no data_offsets pair");

  Region region;
  region.tensor.name = name;
  uint64_t elements = 1;
  for (const json& dim : *shape_it) {
    uint64_t d = unsigned_field(dim, where + " shape entry");
    region.tensor.shape.push_back(d);
    elements = formats::checked_mul(elements, d, where + " element count");
  }
  uint64_t begin = unsigned_field((*offsets_it)[0], where + " data_offsets[0]");
  uint64_t end = unsigned_field((*offsets_it)[1], where + " data_offsets[1]");
  if (begin > end) throw_corrupt(where + " data_offsets are reversed");
  if (end > data_size)
    throw_corrupt(where + " data ends at " + std::to_string(end) + ", beyond the data section (" +
                  std::to_string(data_size) + " bytes)");
  region.offset = data_start + begin;
  region.size = end - begin;

  const std::string dtype = dtype_it->get<std::string>();
  std::optional<TypeId> type = type_from_safetensors_dtype(dtype);
  if (!type) {
    // Unknown dtype: its bytes are still bytes; carry them without interpretation.
    region.kind = RegionKind::kOpaque;
    region.tensor.type = type::kOpaque;
    return region;
  }
  const TypeInfo* info = find_type(*type);
  uint64_t expected = formats::checked_mul(elements, info->block_bytes, where + " byte size");
  if (expected != region.size)
    throw_corrupt(where + " is " + dtype + " with " + std::to_string(elements) +
                  " elements, needs " + std::to_string(expected) + " bytes but has " +
                  std::to_string(region.size));
  region.kind = RegionKind::kTensor;
  region.tensor.type = *type;
  return region;
}

}  // namespace

Layout parse_safetensors(const ByteSource& source) {
  const std::string file = source.name();
  const uint64_t file_size = source.size();
  if (file_size < 8) throw_corrupt(file + ": too short for a safetensors header");
  std::array<uint8_t, 8> length_bytes{};
  source.read(0, length_bytes);
  uint64_t header_size = 0;
  for (int i = 0; i < 8; ++i) header_size |= static_cast<uint64_t>(length_bytes[i]) << (8 * i);
  if (header_size > kMaxHeaderBytes)
    throw_corrupt(file + ": safetensors header length " + std::to_string(header_size) +
                  " exceeds the limit of " + std::to_string(kMaxHeaderBytes));
  if (header_size > file_size - 8)
    throw_corrupt(file + ": safetensors header length " + std::to_string(header_size) +
                  " exceeds the file");
  std::vector<uint8_t> text(header_size);
  source.read(8, text);
  json header = parse_header_json(text, file);
  if (!header.is_object()) throw_corrupt(file + ": safetensors header is not a JSON object");

  Layout layout;
  layout.format = FileFormat::kSafetensors;
  layout.file_size = file_size;
  const uint64_t data_start = 8 + header_size;
  const uint64_t data_size = file_size - data_start;
  std::vector<Region> tensors;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) throw_corrupt(file + ": __metadata__ is not a JSON object");
      for (const auto& [mkey, mvalue] : value.items()) {
        layout.metadata.emplace_back(
            mkey, mvalue.is_string() ? mvalue.get<std::string>() : mvalue.dump());
      }
      continue;
    }
    tensors.push_back(parse_tensor(key, value, data_start, data_size, file));
  }
  try {
    formats::sort_and_check_overlaps(tensors);
  } catch (const Error& e) {
    throw_corrupt(file + ": " + e.what());
  }
  layout.regions = formats::assemble_regions(data_start, std::move(tensors), file_size);
  return layout;
}

}  // namespace lcl
