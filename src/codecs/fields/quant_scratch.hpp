#pragma once
// The quantized codecs' field arrays, kept by the caller's workspace (lcl/workspace.hpp). A
// chunk's fields are arrays of up to a few MiB that live only while the chunk is coded;
// allocating them afresh for every chunk made the compressor spend more time in page faults and
// zero-filling than in coding. Each call site names its own array (ScratchTag), so arrays in use
// at the same time never alias. The contents are NOT cleared: callers write every element before
// reading it.
//
// The field toolkit (a few dozen functions shared by the Q3_K ... MXFP4 codecs) reaches the
// arrays through the scope its codec opened at its encode / decode entry with the caller's
// workspace, rather than through a parameter on every function: the scope holds a pointer to
// memory the workspace owns, and nothing stays allocated once the workspace is gone.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/fields/quant_rans.hpp"
#include "entropy/rans_interleaved.hpp"
#include "entropy/rans_tables.hpp"
#include "lcl/workspace.hpp"
#include "util/byte_buffer.hpp"

namespace lcl::quant {

// Tags of the arrays; one per array that is alive at the same time as the others.
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
  kScratchNibbleSlotSteps,
  kScratchPackedQuants,
  kScratchValueTables,
  kScratchSixBitValues,
  kScratchCandidateContexts1,
  kScratchCandidateContexts2,
  kScratchPredictedMins,
  kScratchTagCount
};

struct FieldScratch {
  // Not zeroed when they grow, huge pages when large (util/byte_buffer.hpp).
  std::array<std::vector<unsigned char, DefaultInitAllocator<unsigned char>>, kScratchTagCount>
      arrays;
  std::vector<uint8_t> sparse, coded;        // a field's trial encodings (quant_fields.cpp)
  std::vector<entropy::EncoderSymbol> flat;  // flat_encode's entries per (context, symbol)
  std::vector<uint64_t> wide_entries;        // the same packed for the wide kernels
  SlotStorage decode_slots;                  // read_field's FlatDecodeTable
  // anchored_lanes::encode_stream's streams, one per lane count (a 64-lane stream stays valid
  // while a 32-lane one is coded).
  std::vector<uint8_t> stream32, stream64;
  entropy::StreamWords words32, words64;
};

// Makes `workspace`'s field arrays the ones scratch() and field_scratch() return on this thread
// while the scope lives (scopes nest: the previous one comes back when this one ends).
class FieldScratchScope {
 public:
  explicit FieldScratchScope(Workspace& workspace);
  ~FieldScratchScope();
  FieldScratchScope(const FieldScratchScope&) = delete;
  FieldScratchScope& operator=(const FieldScratchScope&) = delete;

 private:
  FieldScratch* previous_;
};

// The arrays of the innermost scope; throws lcl::Error(kUsage) outside any scope.
FieldScratch& field_scratch();

template <class T, int Tag>
std::span<T> scratch(size_t n) {
  static_assert(Tag >= 0 && Tag < kScratchTagCount);
  auto& bytes = field_scratch().arrays[Tag];
  if (bytes.size() < n * sizeof(T)) bytes.resize(n * sizeof(T));
  // operator new's alignment covers T (uint8_t / uint16_t); the elements are written before read.
  return std::span<T>(reinterpret_cast<T*>(bytes.data()), n);
}

}  // namespace lcl::quant
