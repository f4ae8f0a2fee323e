#pragma once
// Cutting planned chunks at given offsets, so that a tensor that a chunk of its own must hold
// (one coded against a base, or one identical to another tensor) is not coded inside a run of
// small tensors or generic bytes. Internal to the container.
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/codec.hpp"
#include "lcl/layout.hpp"

namespace lcl::container {

// The region that holds byte `offset` of the file, or nullptr.
const Region* region_at(const Layout& layout, uint64_t offset);

// A chunk of `pieces` of the run `run` that starts at `offset`, coded as the planner would code
// them: one tensor alone by its specialised codec, one generic piece by zstd, several as a
// segments chunk.
ChunkPlan regroup(const ChunkPlan& run, std::span<const Segment> pieces, uint64_t offset,
                  const Layout& layout);

// Splits every segments or zstd chunk that an offset of `cuts` falls strictly inside into chunks
// that meet there (a chunk of one tensor's bytes is never cut: a tensor's own boundaries are
// already chunk boundaries).
void cut_plans(const Layout& layout, std::vector<ChunkPlan>& plans, std::vector<uint64_t> cuts);

}  // namespace lcl::container
