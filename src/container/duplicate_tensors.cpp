#include "container/duplicate_tensors.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <unordered_map>

#include "container/plan_cuts.hpp"
#include "util/byte_buffer.hpp"
#include "util/hash.hpp"

namespace lcl::container {

namespace {

constexpr uint64_t kSampleBytes = 4096;
constexpr uint64_t kReadPiece = 4u << 20;

// A hash of the size and of up to three samples (start, middle, end) of a region's bytes.
uint64_t sample_key(const ByteSource& source, const Region& region, ByteBuffer& buffer) {
  ContentHash hash(true);
  uint8_t size[8];
  std::memcpy(size, &region.size, sizeof size);
  hash.update(size);
  const uint64_t n = std::min(kSampleBytes, region.size);
  for (uint64_t at : {uint64_t{0}, (region.size - n) / 2, region.size - n}) {
    buffer.resize(n);
    source.read(region.offset + at, buffer);
    hash.update(buffer);
  }
  return hash.digest();
}

uint64_t full_hash(const ByteSource& source, const Region& region, ByteBuffer& buffer) {
  ContentHash hash(true);
  for (uint64_t at = 0; at < region.size; at += kReadPiece) {
    buffer.resize(std::min(kReadPiece, region.size - at));
    source.read(region.offset + at, buffer);
    hash.update(buffer);
  }
  return hash.digest();
}

bool same_bytes(const ByteSource& source, const Region& a, const Region& b, ByteBuffer& x,
                ByteBuffer& y) {
  if (a.size != b.size) return false;
  for (uint64_t at = 0; at < a.size; at += kReadPiece) {
    const uint64_t n = std::min(kReadPiece, a.size - at);
    x.resize(n);
    y.resize(n);
    source.read(a.offset + at, x);
    source.read(b.offset + at, y);
    if (!std::equal(x.begin(), x.end(), y.begin())) return false;
  }
  return true;
}

// A tensor whose bytes equal those of an earlier one, `shift` bytes before it.
struct Copy {
  uint64_t offset;
  uint64_t size;
  uint64_t shift;
};

std::vector<Copy> find_copies(const ByteSource& source, const Layout& layout,
                              std::vector<uint64_t>& cuts) {
  ByteBuffer x, y;
  // Candidates grouped by sample key, each group in file order.
  std::unordered_map<uint64_t, std::vector<const Region*>> groups;
  for (const Region& region : layout.regions)
    if (region.kind == RegionKind::kTensor && region.size >= kMinCopiedTensorBytes)
      groups[sample_key(source, region, x)].push_back(&region);
  std::vector<Copy> copies;
  for (auto& [key, regions] : groups) {
    if (regions.size() < 2) continue;
    // The first tensor of each content, by full hash; later equal ones are its copies.
    std::unordered_map<uint64_t, std::vector<const Region*>> firsts;
    for (const Region* region : regions) {
      std::vector<const Region*>& same_hash = firsts[full_hash(source, *region, x)];
      auto original = std::find_if(same_hash.begin(), same_hash.end(), [&](const Region* r) {
        return same_bytes(source, *r, *region, x, y);
      });
      if (original == same_hash.end()) {
        same_hash.push_back(region);
        continue;
      }
      copies.push_back({region->offset, region->size, region->offset - (*original)->offset});
      cuts.push_back(region->offset);
      cuts.push_back(region->offset + region->size);
    }
  }
  std::sort(copies.begin(), copies.end(),
            [](const Copy& a, const Copy& b) { return a.offset < b.offset; });
  return copies;
}

}  // namespace

void plan_copies(const ByteSource& source, const Layout& layout, std::vector<ChunkPlan>& plans) {
  std::vector<uint64_t> cuts;
  const std::vector<Copy> copies = find_copies(source, layout, cuts);
  if (copies.empty()) return;
  cut_plans(layout, plans, std::move(cuts));
  // The plan that holds byte `offset`.
  auto plan_holding = [&](uint64_t offset) {
    auto it = std::upper_bound(plans.begin(), plans.end(), offset,
                               [](uint64_t o, const ChunkPlan& p) { return o < p.offset; });
    return it == plans.begin() ? plans.end() : std::prev(it);
  };
  for (const Copy& copy : copies) {
    for (auto p = plan_holding(copy.offset);
         p != plans.end() && p->offset < copy.offset + copy.size; ++p) {
      if (p->offset < copy.offset || p->offset + p->size > copy.offset + copy.size) continue;
      // The chunk that holds the earlier tensor's same bytes (its own chunk, or a run of small
      // tensors that holds it), not a copy itself: copies name only chunks that decode alone.
      const uint64_t from = p->offset - copy.shift;
      auto q = plan_holding(from);
      if (q == plans.end() || q->copy_of || from + p->size > q->offset + q->size) continue;
      p->copy_of = CopySource{static_cast<uint64_t>(q - plans.begin()), from - q->offset};
      p->reference.reset();  // no base needed for these bytes
      q->kept = true;
    }
  }
}

}  // namespace lcl::container
