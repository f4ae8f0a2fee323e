#pragma once
// The Layout of a model file: ordered regions that cover every byte of the file exactly once.
// Parsers read headers only; the tensor data is never touched while building a Layout.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "lcl/source.hpp"
#include "lcl/types.hpp"

namespace lcl {

enum class FileFormat : uint8_t { kOpaque = 0, kSafetensors = 1, kGguf = 2 };

enum class RegionKind : uint8_t {
  kOpaque = 0,  // header, metadata, padding, data of unknown type, or a whole unknown file
  kTensor = 1,  // the data of one tensor
};

struct TensorInfo {
  std::string name;
  TypeId type = type::kOpaque;
  std::vector<uint64_t>
      shape;  // as the file lists it (safetensors: outermost first; GGUF: ne0 first)
};

struct Region {
  uint64_t offset = 0;
  uint64_t size = 0;
  RegionKind kind = RegionKind::kOpaque;
  TensorInfo tensor;  // meaningful when kind == kTensor
};

struct Layout {
  FileFormat format = FileFormat::kOpaque;
  uint64_t file_size = 0;
  std::vector<Region> regions;        // sorted by offset, contiguous, covering [0, file_size)
  std::vector<std::string> warnings;  // e.g. "header invalid (...), file treated as opaque"
  // Key/value metadata of the file: GGUF KV pairs (scalars as decimal text, strings as they are,
  // arrays summarised as "array<type>[N]" except short numeric arrays, written "[a,b,...]") and
  // the safetensors "__metadata__" object.
  std::vector<std::pair<std::string, std::string>> metadata;
};

// Detects the format from the first bytes and parses the header. A file whose header is not valid
// for its apparent format is returned as one opaque region, with a warning saying why; only I/O
// failures throw.
Layout read_layout(const std::filesystem::path& path);

// Layout of any source (format detected from the first bytes), with the same fall-back to opaque.
Layout read_layout(const ByteSource& source);

// Strict parsers: they read only the header through `source` and throw lcl::Error(kCorruptInput)
// naming the problem (declared sizes beyond the file, overlapping or out-of-range data, dtype x
// shape != byte length, dimension products that overflow, ...). Header reads are bounded by the
// file size and by fixed limits, so a hostile header cannot cause a huge allocation.
Layout parse_safetensors(const ByteSource& source);
Layout parse_gguf(const ByteSource& source);

// A layout of one opaque region (any file).
Layout opaque_layout(uint64_t file_size);

// Checks the invariant (sorted, contiguous, exactly covering the file); throws kCorruptInput.
void validate_layout(const Layout& layout);

// Sharded safetensors checkpoints: model.safetensors.index.json maps tensor names to shard files.
struct ShardedCheckpoint {
  std::filesystem::path index_path;
  std::vector<std::filesystem::path> shards;  // in the order of their names
  uint64_t declared_total_size = 0;           // metadata.total_size, 0 when absent
  // weight_map as listed: tensor name -> shard file name, sorted by tensor name.
  std::vector<std::pair<std::string, std::string>> weight_map;
};
ShardedCheckpoint read_sharded_index(const std::filesystem::path& index_json);

// Compares the weight map with the shards' own headers (`layouts[i]` is the layout of
// `checkpoint.shards[i]`) and returns one warning per disagreement: a tensor mapped to a shard
// that does not hold it (and where it is instead), a mapped tensor no shard holds, a tensor a
// shard holds that the map does not list. Loaders that trust the map would miss such tensors;
// compression does not use the map, so every byte still round-trips.
std::vector<std::string> check_weight_map(const ShardedCheckpoint& checkpoint,
                                          const std::vector<Layout>& layouts);

// The model files of a path: a file is itself; a directory gives its *.safetensors and *.gguf
// files (sorted); an index.json gives its shards.
std::vector<std::filesystem::path> model_files(const std::filesystem::path& path);

}  // namespace lcl
