#pragma once
// Per-thread reusable arrays for the quantized codecs' fields. A chunk's fields are arrays of up
// to a few MiB that live only while the chunk is coded; allocating them afresh for every chunk
// made the compressor spend more time in page faults and zero-filling (in a fresh process, where
// every allocation is new memory) than in coding. Each call site names its own buffer (Tag), so
// buffers in use at the same time never alias. The contents are NOT cleared: callers write every
// element before reading it.
#include <cstddef>
#include <span>
#include <vector>

#include "util/byte_buffer.hpp"

namespace lcl::quant {

template <class T, int Tag>
std::span<T> scratch(size_t n) {
  // ByteBuffer's allocator: growing does not zero, and chunk-sized arrays get huge pages.
  thread_local std::vector<T, DefaultInitAllocator<T>> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return std::span<T>(buffer.data(), n);
}

// Tags of the buffers; one per array that is alive at the same time as the others.
enum ScratchTag : int {
  kScratchMinima,
  kScratchPositions,
  kScratchOthers,
  kScratchOtherContexts,
  kScratchClassContexts,
  kScratchGroupContexts,
  kScratchValues,
  kScratchBlockHalves,
  kScratchBlockHalves2,
  kScratchScales,
  kScratchMins,
  kScratchNibbleMinima,
  kScratchNibblePositions,
  kScratchNibbleWide,
  kScratchNibbleValues,
  kScratchPackedQuants,
  kScratchValueTables,
  kScratchSixBitValues,
  kScratchCandidateContexts1,
  kScratchCandidateContexts2,
  kScratchPredictedMins,
};

}  // namespace lcl::quant
