#include "container/index_limits.hpp"

#include <cstdint>
#include <limits>

#include "container/format.hpp"
#include "lcl/error.hpp"

namespace lcl::container {

namespace {

// A name too long to print whole in a warning is cut (the reader would reject it anyway).
std::string shown_name(const std::string& name) {
  constexpr size_t kShown = 80;
  return name.size() <= kShown
             ? name
             : name.substr(0, kShown) + "... (" + std::to_string(name.size()) + " bytes)";
}

}  // namespace

void degrade_unindexable_tensors(Layout& layout) {
  for (Region& region : layout.regions) {
    if (region.kind != RegionKind::kTensor) continue;
    std::string why;
    if (region.tensor.name.size() > kMaxNameLength)
      why = "a name of " + std::to_string(region.tensor.name.size()) + " bytes (at most " +
            std::to_string(kMaxNameLength) + " fit the index)";
    else if (region.tensor.shape.size() > kMaxDims)
      why = std::to_string(region.tensor.shape.size()) + " dimensions (at most " +
            std::to_string(kMaxDims) + " fit the index)";
    if (why.empty()) continue;
    layout.warnings.push_back("tensor '" + shown_name(region.tensor.name) + "' has " + why +
                              ", carried as opaque bytes");
    region.kind = RegionKind::kOpaque;
    region.tensor = TensorInfo{};
  }
}

void check_index_limits(const std::string& source_name, size_t chunk_count) {
  if (source_name.size() > kMaxSourceNameLength)
    throw Error(ErrorKind::kUnsupported, "file name of " + std::to_string(source_name.size()) +
                                             " bytes exceeds the archive's limit of " +
                                             std::to_string(kMaxSourceNameLength));
  // Tensor entries address chunks with 32-bit indices.
  if (chunk_count > std::numeric_limits<uint32_t>::max())
    throw Error(ErrorKind::kUnsupported, std::to_string(chunk_count) +
                                             " chunks exceed the archive's limit; use a larger "
                                             "--chunk-size");
}

}  // namespace lcl::container
