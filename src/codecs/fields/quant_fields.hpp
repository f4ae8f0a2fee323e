#pragma once
// Field coding for the quantized codecs: a field is a sequence of small symbols (nibbles, 6-bit
// scales, bytes of f16 scales) in which each symbol comes with a context the decoder can compute
// before decoding the field (from fields decoded earlier). Each used context gets its own static
// table, serialised compactly (present symbols and frequencies at a precision chosen per field),
// and the symbols are coded with the rANS core (entropy/rans.hpp). A field that would not shrink
// is stored bit-packed instead, and one that is nearly all one symbol as that symbol and its
// exceptions.
#include <cstdint>
#include <span>
#include <vector>

#include "entropy/rans.hpp"
#include "util/byte_io.hpp"

namespace lcl::quant {

// The first byte of a field: how its symbols are stored (docs/FORMAT.md, quant fields). kRans
// codes with field_lanes(n) states, kRansWide with kFieldLanesWide, kRansWide64 with
// kFieldLanesWide64 (quant_rans.hpp).
enum class FieldMode : uint8_t {
  kEmpty = 0,
  kPacked = 1,
  kRans = 2,
  kSparse = 3,
  kRansWide = 4,
  kRansWide64 = 5
};
// Every mode read_field accepts.
inline constexpr uint8_t kFieldModes[] = {0, 1, 2, 3, 4, 5};

// While one is alive, read_field on this thread records the mode of every field it reads in
// `seen` (bit m for mode m): the golden coverage test learns which modes an archive pins.
class FieldModeTrace {
 public:
  FieldModeTrace();
  ~FieldModeTrace();
  FieldModeTrace(const FieldModeTrace&) = delete;
  FieldModeTrace& operator=(const FieldModeTrace&) = delete;
  uint32_t seen = 0;

 private:
  FieldModeTrace* previous_;
};

// While one is alive, write_field on this thread codes the rANS fields of at least `min_symbols`
// symbols with 64 lanes (mode kRansWide64) instead of those of at least kFieldLanesMinWide64: a
// golden archive pins that mode with a small file (tools/make_golden_archives.cpp). The payloads
// are ones the decoder reads whatever the threshold, which it does not need.
class WideFieldThreshold {
 public:
  explicit WideFieldThreshold(size_t min_symbols);
  ~WideFieldThreshold();
  WideFieldThreshold(const WideFieldThreshold&) = delete;
  WideFieldThreshold& operator=(const WideFieldThreshold&) = delete;

 private:
  size_t previous_;
};

struct FieldShape {
  uint32_t alphabet = 256;  // symbols are in [0, alphabet), alphabet <= 256
  uint32_t contexts = 1;    // context values are in [0, contexts), contexts <= 256
};

// Symbol counts per context, the input of model selection.
class FieldHistogram {
 public:
  explicit FieldHistogram(FieldShape shape)
      : shape_(shape), counts_(static_cast<size_t>(shape.alphabet) * shape.contexts, 0) {}
  void add(uint32_t context, uint32_t symbol) { ++counts_[context * shape_.alphabet + symbol]; }
  void add_count(uint32_t context, uint32_t symbol, uint64_t n) {
    counts_[context * shape_.alphabet + symbol] += n;
  }
  void add_all(std::span<const uint16_t> symbols, std::span<const uint8_t> contexts);
  std::span<const uint64_t> context_counts(uint32_t context) const {
    return std::span<const uint64_t>(counts_).subspan(context * shape_.alphabet, shape_.alphabet);
  }
  const FieldShape& shape() const { return shape_; }
  uint64_t total() const;

 private:
  FieldShape shape_;
  std::vector<uint64_t> counts_;
};

// Bits write_field would emit for a field with these counts (tables included, rANS flush bytes
// excluded); model selection compares candidate context functions with it.
double field_cost_bits(const FieldHistogram& histogram);

// Writes symbols (all < shape.alphabet) with contexts (all < shape.contexts; an empty span means
// context 0 for every symbol).
void write_field(ByteWriter& out, std::span<const uint16_t> symbols,
                 std::span<const uint8_t> contexts, FieldShape shape);
// Reads exactly symbols.size() symbols written by write_field with the same contexts and shape.
// Throws lcl::Error(kCorruptInput) on any inconsistency.
void read_field(ByteReader& in, std::span<const uint8_t> contexts, FieldShape shape,
                std::span<uint16_t> symbols);

// The static tables of a field's contexts at one precision (8..12); a context no symbol uses has
// an empty freq.
struct FieldTables {
  uint32_t precision = 12;
  std::vector<entropy::FrequencyTable> tables;
};

// For coders that code the symbols themselves (e.g. in a layout of their own): chooses the tables
// for these counts as write_field does (the precision of least total cost), writes them in
// write_field's table format and returns them.
FieldTables write_field_tables(ByteWriter& out, const FieldHistogram& histogram);
// Reads what write_field_tables wrote for this shape; throws lcl::Error(kCorruptInput) on any
// inconsistency (every table read sums to 1 << precision).
FieldTables read_field_tables(ByteReader& in, FieldShape shape);

}  // namespace lcl::quant

namespace lcl::quant {

// One way of giving a field's symbols contexts; codecs offer several and keep the cheapest.
struct ContextCandidate {
  // Empty: context 0 for every symbol. The caller keeps the contexts alive (often a per-thread
  // scratch array: the contexts of a chunk's field are as long as the field, and fresh
  // zero-filled vectors per candidate and chunk cost more than the coding).
  std::span<const uint8_t> contexts;
  FieldShape shape;
};

// Writes the index of the cheapest candidate (u8) and the field coded with it; returns the index.
// The decoder reads the index, rebuilds that candidate's contexts and calls read_field.
uint8_t write_best_field(ByteWriter& out, std::span<const uint16_t> symbols,
                         std::span<const ContextCandidate> candidates);

// Reads a candidate index written by write_best_field and checks it is below `count`.
uint8_t read_candidate_index(ByteReader& in, size_t count);

}  // namespace lcl::quant
