#include "container/base_model.hpp"

#include <algorithm>
#include <optional>

#include "container/plan_cuts.hpp"
#include "lcl/error.hpp"
#include "util/byte_buffer.hpp"
#include "util/hash.hpp"
#include "util/sha256.hpp"

namespace lcl::container {

namespace fs = std::filesystem;

std::string base_model_name(const fs::path& path) {
  fs::path p = path.lexically_normal();
  if (p.has_filename() == false) p = p.parent_path();  // "dir/" names the directory
  std::error_code ec;
  if (p.filename().string().ends_with(".index.json") && !fs::is_directory(p, ec)) {
    fs::path dir = fs::absolute(p, ec).parent_path();
    if (!ec && !dir.filename().empty()) return dir.filename().string();
  }
  return p.filename().string();
}

BaseCatalog::BaseCatalog(const fs::path& path) : name_(base_model_name(path)) {
  files_ = model_files(path);
  if (files_.empty())
    throw Error(ErrorKind::kUsage, "the base " + path.string() + " holds no model files");
  used_index_.assign(files_.size(), -1);
  for (size_t f = 0; f < files_.size(); ++f) {
    const Layout layout = read_layout(files_[f]);
    for (const Region& region : layout.regions) {
      if (region.kind != RegionKind::kTensor) continue;
      // The first file that holds a name wins (a checkpoint names each tensor once).
      tensors_.emplace(region.tensor.name,
                       BaseTensor{f, region.offset, region.size, region.tensor});
    }
  }
}

const BaseCatalog::BaseTensor* BaseCatalog::held(const Region& region) const {
  if (region.kind != RegionKind::kTensor) return nullptr;
  auto match = tensors_.find(region.tensor.name);
  // A changed shape or dtype: the tensor is coded on its own.
  if (match == tensors_.end() || match->second.info.type != region.tensor.type ||
      match->second.info.shape != region.tensor.shape || match->second.size != region.size)
    return nullptr;
  return &match->second;
}

std::optional<ReferenceRange> BaseCatalog::reference_for(const Region& region, uint64_t offset,
                                                         uint64_t size) {
  if (offset < region.offset || offset + size > region.offset + region.size) return std::nullopt;
  const BaseTensor* held_tensor = held(region);
  if (!held_tensor) return std::nullopt;
  const BaseTensor& base = *held_tensor;
  if (used_index_[base.file] < 0) {
    used_index_[base.file] = static_cast<int>(used_.size());
    used_.push_back(files_[base.file]);
  }
  ReferenceRange reference;
  reference.file = static_cast<uint32_t>(used_index_[base.file]);
  reference.offset = base.offset + (offset - region.offset);
  reference.size = size;
  return reference;
}

void BaseCatalog::plan_references(const Layout& layout, std::vector<ChunkPlan>& plans) {
  // Runs of generic bytes (and of small tensors) are cut at the tensors the base holds, so that a
  // tensor the planner carried as generic bytes becomes a generic chunk of exactly its bytes.
  std::vector<uint64_t> cuts;
  for (const Region& region : layout.regions)
    if (region.size > 0 && held(region)) {
      cuts.push_back(region.offset);
      cuts.push_back(region.offset + region.size);
    }
  cut_plans(layout, plans, std::move(cuts));
  // Every such tensor is now a chunk of its own (a segments run holds none of them).
  for (ChunkPlan& plan : plans) {
    if (plan.codec == codec_id::kSegments) continue;
    // A chunk of one tensor (or a piece of a large one), or generic bytes, which may be exactly a
    // small tensor's: then it is coded against the base as that tensor (its type for the delta
    // codec; zstd stays its own codec).
    const Region* region = region_at(layout, plan.offset);
    if (region && plan.context.tensor) {
      plan.reference = reference_for(*region, plan.offset, plan.size);
    } else if (region && region->offset == plan.offset && region->size == plan.size &&
               (plan.reference = reference_for(*region, plan.offset, plan.size))) {
      plan.context.type = region->tensor.type;
      plan.context.tensor = &region->tensor;
    }
  }
}

uint64_t hash_whole_file(const ByteSource& source, Sha256* sha) {
  StreamingHash xxh;
  ByteBuffer buffer;
  constexpr uint64_t kPiece = 4u << 20;
  for (uint64_t at = 0; at < source.size(); at += kPiece) {
    buffer.resize(std::min(kPiece, source.size() - at));
    source.read(at, buffer);
    xxh.update(buffer);
    if (sha) sha->update(buffer);
  }
  return xxh.digest();
}

BaseFile describe_base_file(const fs::path& path) {
  FileSource source(path);
  BaseFile file;
  file.name = path.filename().string();
  file.size = source.size();
  Sha256 sha;
  file.checksum = hash_whole_file(source, &sha);
  file.sha256 = sha.finish();
  return file;
}

fs::path locate_base_file(const fs::path& path, const std::string& name, size_t files_needed) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return path / name;
  if (files_needed == 1 && !path.filename().string().ends_with(".json")) return path;
  return path.parent_path() / name;
}

}  // namespace lcl::container
