// The planner: which codec codes which bytes, in chunks small enough to bound memory and to give
// every thread work, large enough that per-chunk models cost little.
#include <algorithm>

#include "lcl/codec.hpp"
#include "lcl/error.hpp"

namespace lcl {

namespace {

// Tensors smaller than this are not worth a model of their own; they travel with the
// surrounding opaque bytes in a zstd chunk.
constexpr uint64_t kMinSpecialisedBytes = 4096;
constexpr uint64_t kMinChunkSize = 4096;
constexpr uint64_t kMaxChunkSize = 256ull << 20;  // also the container's per-chunk limit

const Codec* routed_codec_for(const Region& region) {
  if (region.kind != RegionKind::kTensor || region.size < kMinSpecialisedBytes) return nullptr;
  const TypeInfo* info = find_type(region.tensor.type);
  if (!info || region.size % info->block_bytes != 0) return nullptr;
  return specialised_codec_for(region.tensor.type);
}

class Planner {
 public:
  Planner(const PlanOptions& options, std::vector<ChunkPlan>& out) : options_(options), out_(out) {}

  void add_generic(uint64_t offset, uint64_t size) {
    if (run_size_ == 0) run_start_ = offset;
    run_size_ += size;
    while (run_size_ >= options_.chunk_size) {
      emit_generic(run_start_, options_.chunk_size);
      run_start_ += options_.chunk_size;
      run_size_ -= options_.chunk_size;
    }
  }

  void add_specialised(const Region& region, const Codec& codec) {
    flush_generic();
    uint64_t block = find_type(region.tensor.type)->block_bytes;
    uint64_t blocks = region.size / block;
    uint64_t blocks_per_chunk = std::max<uint64_t>(1, options_.chunk_size / block);
    // Even pieces: a 4.1 MiB tensor becomes two ~2 MiB chunks, not 4 MiB plus a sliver.
    uint64_t pieces = (blocks + blocks_per_chunk - 1) / blocks_per_chunk;
    uint64_t offset = region.offset;
    for (uint64_t i = 0; i < pieces; ++i) {
      uint64_t n = blocks / pieces + (i < blocks % pieces ? 1 : 0);
      ChunkPlan chunk;
      chunk.offset = offset;
      chunk.size = n * block;
      chunk.codec = codec.id();
      chunk.context.type = region.tensor.type;
      chunk.context.tensor = &region.tensor;
      chunk.context.level = options_.zstd_level;
      out_.push_back(chunk);
      offset += chunk.size;
    }
  }

  void flush_generic() {
    if (run_size_ > 0) emit_generic(run_start_, run_size_);
    run_size_ = 0;
  }

 private:
  void emit_generic(uint64_t offset, uint64_t size) {
    ChunkPlan chunk;
    chunk.offset = offset;
    chunk.size = size;
    chunk.codec = options_.store_only ? codec_id::kStore : codec_id::kZstd;
    chunk.context.level = options_.zstd_level;
    out_.push_back(chunk);
  }

  const PlanOptions& options_;
  std::vector<ChunkPlan>& out_;
  uint64_t run_start_ = 0;
  uint64_t run_size_ = 0;
};

}  // namespace

std::vector<ChunkPlan> plan_chunks(const Layout& layout, const PlanOptions& options) {
  if (options.chunk_size < kMinChunkSize || options.chunk_size > kMaxChunkSize)
    throw Error(ErrorKind::kUsage, "chunk size must be between 4 KiB and 256 MiB");
  std::vector<ChunkPlan> chunks;
  Planner planner(options, chunks);
  for (const Region& region : layout.regions) {
    if (region.size == 0) continue;
    const Codec* codec = options.store_only ? nullptr : routed_codec_for(region);
    if (codec)
      planner.add_specialised(region, *codec);
    else
      planner.add_generic(region.offset, region.size);
  }
  planner.flush_generic();
  return chunks;
}

}  // namespace lcl
