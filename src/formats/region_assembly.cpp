#include "formats/region_assembly.hpp"

#include <algorithm>
#include <tuple>

#include "lcl/error.hpp"

namespace lcl::formats {

std::vector<Region> assemble_regions(uint64_t header_end, std::vector<Region> tensors,
                                     uint64_t file_size) {
  std::vector<Region> regions;
  regions.reserve(tensors.size() * 2 + 2);
  auto add_opaque = [&](uint64_t begin, uint64_t end) {
    if (end > begin) regions.push_back(Region{begin, end - begin, RegionKind::kOpaque, {}});
  };
  add_opaque(0, header_end);
  uint64_t cursor = header_end;
  for (Region& r : tensors) {
    add_opaque(cursor, r.offset);
    cursor = r.offset + r.size;
    regions.push_back(std::move(r));
  }
  add_opaque(cursor, file_size);
  return regions;
}

void sort_and_check_overlaps(std::vector<Region>& tensors) {
  std::sort(tensors.begin(), tensors.end(), [](const Region& a, const Region& b) {
    return std::tie(a.offset, a.size, a.tensor.name) < std::tie(b.offset, b.size, b.tensor.name);
  });
  for (size_t i = 1; i < tensors.size(); ++i) {
    const Region& prev = tensors[i - 1];
    const Region& cur = tensors[i];
    if (cur.offset < prev.offset + prev.size) {
      throw_corrupt("tensor '" + cur.tensor.name + "' at offset " + std::to_string(cur.offset) +
                    " overlaps tensor '" + prev.tensor.name + "' at offset " +
                    std::to_string(prev.offset));
    }
  }
}

}  // namespace lcl::formats
