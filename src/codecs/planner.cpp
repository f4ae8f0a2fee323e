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
// Its tables cost such a tensor under 0.05% (a few hundred bytes per chunk).
constexpr uint64_t kOwnChunkBytes = 1ull << 20;
constexpr uint64_t kMinChunkSize = 4096;
constexpr uint64_t kMaxChunkSize = 256ull << 20;  // also the container's per-chunk limit

const Codec* routed_codec_for(const Region& region) {
  if (region.kind != RegionKind::kTensor || region.size < kMinSpecialisedBytes) return nullptr;
  return specialised_codec_for(region.tensor.type, region.size);
}

// Chunks are cut from runs: consecutive generic bytes and tensors that fit in one chunk gather
// in a run until the next piece would not fit. A run of generic bytes alone becomes a zstd chunk,
// a run of one tensor alone a chunk of its codec, anything else a segments chunk, which codes each
// type's tensors together (their models paid once per chunk, not once per tensor). Larger
// tensors are cut into chunks of their own.
class Planner {
 public:
  Planner(const PlanOptions& options, std::vector<ChunkPlan>& out) : options_(options), out_(out) {}

  void add_generic(uint64_t offset, uint64_t size) {
    while (size > 0) {
      if (run_size_ == 0) run_start_ = offset;
      const uint64_t take = std::min(size, options_.chunk_size - run_size_);
      if (!run_.empty() && run_.back().type == type::kOpaque)
        run_.back().size += take;
      else
        run_.push_back({type::kOpaque, take});
      run_size_ += take;
      offset += take;
      size -= take;
      if (run_size_ == options_.chunk_size) flush();
    }
  }

  void add_specialised(const Region& region, const Codec& codec) {
    // A tensor of kOwnChunkBytes or more gets chunks of its own, so reading it alone (get_tensor,
    // extract) decodes no other tensor; smaller ones share chunks, where tables cost the most.
    const bool own_chunk = region.size >= kOwnChunkBytes;
    if (region.size <= options_.chunk_size) {
      if (own_chunk || run_size_ + region.size > options_.chunk_size) flush();
      if (run_size_ == 0) {
        run_start_ = region.offset;
        run_codec_ = &codec;
        run_tensor_ = &region.tensor;
      }
      run_.push_back({region.tensor.type, region.size});
      run_size_ += region.size;
      if (own_chunk) flush();
      return;
    }
    flush();
    uint64_t block = find_type(region.tensor.type)->block_bytes;
    uint64_t blocks = region.size / block;
    uint64_t blocks_per_chunk = std::max<uint64_t>(1, options_.chunk_size / block);
    // Even pieces: a 4.1 MiB tensor becomes two ~2 MiB chunks, not 4 MiB plus a sliver.
    uint64_t pieces = (blocks + blocks_per_chunk - 1) / blocks_per_chunk;
    uint64_t offset = region.offset;
    for (uint64_t i = 0; i < pieces; ++i) {
      uint64_t n = blocks / pieces + (i < blocks % pieces ? 1 : 0);
      emit(offset, n * block, codec.id(), region.tensor.type, &region.tensor);
      offset += n * block;
    }
  }

  void flush() {
    if (run_size_ == 0) return;
    if (run_.size() == 1 && run_[0].type == type::kOpaque) {
      emit(run_start_, run_size_, options_.store_only ? codec_id::kStore : codec_id::kZstd,
           type::kOpaque, nullptr);
    } else if (run_.size() == 1) {
      emit(run_start_, run_size_, run_codec_->id(), run_[0].type, run_tensor_);
    } else {
      emit(run_start_, run_size_, codec_id::kSegments, type::kOpaque, nullptr);
      out_.back().context.segments = std::move(run_);
    }
    run_.clear();
    run_size_ = 0;
    run_codec_ = nullptr;
    run_tensor_ = nullptr;
  }

 private:
  void emit(uint64_t offset, uint64_t size, CodecId codec, TypeId type, const TensorInfo* tensor) {
    ChunkPlan chunk;
    chunk.offset = offset;
    chunk.size = size;
    chunk.codec = codec;
    chunk.context.type = type;
    chunk.context.tensor = tensor;
    chunk.context.level = options_.zstd_level;
    out_.push_back(std::move(chunk));
  }

  const PlanOptions& options_;
  std::vector<ChunkPlan>& out_;
  std::vector<Segment> run_;
  uint64_t run_start_ = 0;
  uint64_t run_size_ = 0;
  const Codec* run_codec_ = nullptr;  // the codec and tensor of the run's first piece when it is
  const TensorInfo* run_tensor_ = nullptr;  // a tensor (used when the run is that tensor alone)
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
  planner.flush();
  return chunks;
}

}  // namespace lcl
