#pragma once
// The writer's side of the index reader's limits (container/format.hpp): whatever compress_file
// writes, Archive::open reads. Tensors the index cannot describe are carried as opaque bytes (the
// file still round-trips, with a warning); what cannot be degraded is refused before anything is
// written.
#include <cstddef>
#include <string>

#include "lcl/layout.hpp"

namespace lcl::container {

// Turns every tensor region whose name or dimension count exceeds the index limits into an opaque
// region (same bytes, no tensor entry) and adds a warning naming it to layout.warnings.
void degrade_unindexable_tensors(Layout& layout);

// Throws kUnsupported, before anything is written, when the archive would exceed a limit that
// cannot be degraded: the source name length or the number of chunks.
void check_index_limits(const std::string& source_name, size_t chunk_count);

}  // namespace lcl::container
