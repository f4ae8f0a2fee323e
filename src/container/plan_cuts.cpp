#include "container/plan_cuts.hpp"

#include <algorithm>

namespace lcl::container {

const Region* region_at(const Layout& layout, uint64_t offset) {
  auto it = std::upper_bound(layout.regions.begin(), layout.regions.end(), offset,
                             [](uint64_t o, const Region& r) { return o < r.offset; });
  if (it == layout.regions.begin()) return nullptr;
  --it;
  return offset < it->offset + it->size ? &*it : nullptr;
}

ChunkPlan regroup(const ChunkPlan& run, std::span<const Segment> pieces, uint64_t offset,
                  const Layout& layout) {
  ChunkPlan chunk;
  chunk.offset = offset;
  for (const Segment& s : pieces) chunk.size += s.size;
  chunk.context.level = run.context.level;
  const Codec* codec = pieces.size() == 1 && pieces[0].type != type::kOpaque
                           ? specialised_codec_for(pieces[0].type, pieces[0].size)
                           : nullptr;
  if (pieces.size() == 1 && !codec) {
    chunk.codec = codec_id::kZstd;
  } else if (pieces.size() == 1) {
    chunk.codec = codec->id();
    chunk.context.type = pieces[0].type;
    const Region* region = region_at(layout, offset);
    if (region && region->kind == RegionKind::kTensor) chunk.context.tensor = &region->tensor;
  } else {
    chunk.codec = codec_id::kSegments;
    chunk.context.segments.assign(pieces.begin(), pieces.end());
  }
  return chunk;
}

namespace {

// The plan's bytes as pieces: a segments run's own, or one generic piece.
std::vector<Segment> pieces_of(const ChunkPlan& plan) {
  if (plan.codec == codec_id::kSegments) return plan.context.segments;
  return {Segment{type::kOpaque, plan.size}};
}

// `plan` cut at the offsets of [cut, cut_end) (sorted, strictly inside it); a typed piece (one
// whole tensor) is never cut.
void cut_one(const Layout& layout, const ChunkPlan& plan, const uint64_t* cut,
             const uint64_t* cut_end, std::vector<ChunkPlan>& out) {
  std::vector<Segment> group;
  uint64_t group_offset = plan.offset;
  auto add = [&](Segment piece) {
    if (piece.type == type::kOpaque && !group.empty() && group.back().type == type::kOpaque)
      group.back().size += piece.size;
    else
      group.push_back(piece);
  };
  auto close = [&](uint64_t at) {
    if (!group.empty()) out.push_back(regroup(plan, group, group_offset, layout));
    group.clear();
    group_offset = at;
  };
  uint64_t offset = plan.offset;
  for (const Segment& piece : pieces_of(plan)) {
    const uint64_t end = offset + piece.size;
    if (piece.type == type::kOpaque) {
      for (; cut != cut_end && *cut < end; ++cut) {  // generic bytes are cut anywhere
        add({type::kOpaque, *cut - offset});
        close(*cut);
        offset = *cut;
      }
      add({type::kOpaque, end - offset});
    } else {
      while (cut != cut_end && *cut < end) ++cut;  // never inside a tensor
      add(piece);
    }
    offset = end;
    if (cut != cut_end && *cut == end) {
      close(end);
      ++cut;
    }
  }
  close(offset);
}

}  // namespace

void cut_plans(const Layout& layout, std::vector<ChunkPlan>& plans, std::vector<uint64_t> cuts) {
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<ChunkPlan> out;
  out.reserve(plans.size());
  for (ChunkPlan& plan : plans) {
    const uint64_t end = plan.offset + plan.size;
    auto first = std::upper_bound(cuts.begin(), cuts.end(), plan.offset);
    const bool cuttable = plan.codec == codec_id::kSegments || plan.codec == codec_id::kZstd;
    if (!cuttable || plan.reference || first == cuts.end() || *first >= end) {
      out.push_back(std::move(plan));
      continue;
    }
    auto last = std::lower_bound(first, cuts.end(), end);
    cut_one(layout, plan, &*first, &*first + (last - first), out);
  }
  plans = std::move(out);
}

}  // namespace lcl::container
