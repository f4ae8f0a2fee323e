#pragma once
// Tensors whose bytes equal those of an earlier tensor of the same file (tied embeddings,
// duplicated layers) are written as copies: each of their chunks names the same chunk of the
// earlier tensor and costs a few bytes. Internal to the container.
#include <vector>

#include "lcl/codec.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"

namespace lcl::container {

// Tensors smaller than this are left where the planner put them: cutting a copy out of a run of
// small tensors costs the run's pieces around it a model each, about what a small copy saves.
inline constexpr uint64_t kMinCopiedTensorBytes = 16 * 1024;

// Finds the tensors of `layout` (of at least kMinCopiedTensorBytes) whose bytes equal an earlier
// tensor's: candidates by size and a hash of three 4 KiB samples, then a hash of all their bytes,
// then a byte comparison, so only tensors that share size and samples are read in full. A copy
// is cut out of any run of small tensors it shares a chunk with (cut_plans), and each of its
// chunks gets ChunkPlan::copy_of: the chunk that holds the earlier tensor's same bytes (its own,
// or the run it is coded in), which gets `kept`.
void plan_copies(const ByteSource& source, const Layout& layout, std::vector<ChunkPlan>& plans);

}  // namespace lcl::container
