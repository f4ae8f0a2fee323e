#pragma once
// Turns a parsed header into a Layout's regions: the header, the tensors in file order, and opaque
// regions for every gap between them and after the last one, so that every byte is covered once.
#include <cstdint>
#include <vector>

#include "lcl/layout.hpp"

namespace lcl::formats {

// `tensors` must be sorted by offset and non-overlapping, all at or after header_end and inside
// the file (the parsers check this before calling).
std::vector<Region> assemble_regions(uint64_t header_end, std::vector<Region> tensors,
                                     uint64_t file_size);

// Sorts by (offset, end, name) and throws kCorruptInput naming both tensors when two overlap.
void sort_and_check_overlaps(std::vector<Region>& tensors);

}  // namespace lcl::formats
