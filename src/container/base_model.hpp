#pragma once
// The base model of a fine-tune: which of its tensors a chunk is coded against (compress), and
// finding and checking its files again (decompress). Internal to the container.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lcl/codec.hpp"
#include "lcl/container.hpp"
#include "lcl/layout.hpp"
#include "util/sha256.hpp"

namespace lcl::container {

// The tensors of every file of a base model, by name.
class BaseCatalog {
 public:
  // `path`: a model file, a sharded checkpoint's index.json, or a directory of model files.
  explicit BaseCatalog(const std::filesystem::path& path);

  // Sets ChunkPlan::reference on every chunk of a single tensor that the base holds with the same
  // name, type and shape (the base's bytes at the same place of that tensor); runs of small
  // tensors (segments chunks) and of generic bytes (which hold the tensors too small for a codec
  // of their own, norm vectors) are cut so that each such tensor is a chunk of its own.
  // References name base files by their index in `used_files()`, which lists the files
  // referenced so far.
  void plan_references(const Layout& layout, std::vector<ChunkPlan>& plans);

  const std::string& name() const { return name_; }
  const std::vector<std::filesystem::path>& used_files() const { return used_; }

 private:
  // The base's bytes for bytes [offset, offset + size) of `region`, when it holds the tensor.
  std::optional<ReferenceRange> reference_for(const Region& region, uint64_t offset, uint64_t size);
  struct BaseTensor {
    size_t file;
    uint64_t offset;
    uint64_t size;
    TensorInfo info;
  };
  // The base's tensor of `region` when the base holds it with the same name, type, shape and
  // size; else nullptr.
  const BaseTensor* held(const Region& region) const;
  std::string name_;
  std::vector<std::filesystem::path> files_;
  std::unordered_map<std::string, BaseTensor> tensors_;
  std::vector<std::filesystem::path> used_;
  std::vector<int> used_index_;  // per file of files_: its index in used_, or -1
};

// The printable name of a base given as `path` (its directory's name for a checkpoint).
std::string base_model_name(const std::filesystem::path& path);

// xxh64 of all of `source`'s bytes, fed to `sha` as well when given, in one read.
uint64_t hash_whole_file(const ByteSource& source, Sha256* sha = nullptr);

// Size, xxh64 and SHA-256 of a whole file, in one read (SHA-NI where the CPU has it).
BaseFile describe_base_file(const std::filesystem::path& path);

// Where the base file `name` of an archive lies when the user gives `path`: inside it (a
// directory), beside it (an index.json or another file of the checkpoint), or `path` itself when
// it is a file and the archive needs only one.
std::filesystem::path locate_base_file(const std::filesystem::path& path, const std::string& name,
                                       size_t files_needed);

}  // namespace lcl::container
