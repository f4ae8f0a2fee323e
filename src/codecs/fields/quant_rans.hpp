#pragma once

// A decoder specialised for the quantized codecs' fields: the stream layout of the entropy layer's
// interleaved rANS (entropy/rans_interleaved.hpp; the encoder there writes it) with a lane count
// chosen per field (field_lanes), and
// every context's decode table flattened into one array of 32-bit slots, so that one symbol
// costs one load, one multiply-add and a branch-free renormalisation. The generic decoder looks
// up a table object per symbol and unpacks 8-byte slots, which made it the largest cost of the
// quantized codecs' decode. The fields use small alphabets (<= 256 symbols) and table precisions
// of at most 12 bits, which is what lets a slot fit in 32 bits.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "entropy/rans.hpp"
#include "util/byte_buffer.hpp"

namespace lcl::quant {

inline constexpr uint32_t kMaxFlatPrecision = 12;
// Fields of at least this many symbols use kFieldLanesLong states. More states do not decode
// faster (the loop is bound by instructions, not latency), and fewer cost fewer header bytes.
inline constexpr size_t kFieldLanesMinLong = 1024;
inline constexpr int kFieldLanesLong = 4;
// Wide fields: 32 states, which the AVX2 decoder keeps in four vectors of 8 and steps with table
// gathers. Their 112 more header bytes are 0.08% of a 4 MiB Q4_K chunk's mins; from this many
// symbols on the encoder takes them.
inline constexpr size_t kFieldLanesMinWide = 32768;
inline constexpr int kFieldLanesWide = 32;
// Wider fields: 64 states in eight vectors, twice the dependency chains for the decoder to
// overlap. Their 128 more header bytes are under 0.1% of a field this long (2^18 symbols of at
// least 4 bits).
inline constexpr size_t kFieldLanesMinWide64 = size_t{1} << 18;
inline constexpr int kFieldLanesWide64 = 64;

// Interleaved rANS states of a field of n symbols. Each state costs 4 bytes of stream header, so
// short fields (most fields of a small tensor's chunk) use one, long ones enough to overlap the
// states' dependency chains. Both sides derive it from n, so it is not stored.
inline int field_lanes(size_t n) {
  return n < kFieldLanesMinLong ? 1 : kFieldLanesLong;
}

// Memory for FlatDecodeTable's slots, reused across fields (not zeroed when it grows).
using SlotStorage = std::vector<uint32_t, DefaultInitAllocator<uint32_t>>;

// Decode tables of all contexts of one field, context c at [c << precision, (c + 1) << precision).
// A slot holds symbol (bits 0-7), offset of the slot inside the symbol's range (bits 8-19) and
// frequency - 1 (bits 20-31).
class FlatDecodeTable {
 public:
  // tables: one per context, each summing to 1 << precision, or empty for a context no symbol
  // uses (its row is left undefined; flat_decode must never see that context). Throws
  // lcl::Error(kCorruptInput) when a table is inconsistent.
  FlatDecodeTable(std::span<const entropy::FrequencyTable> tables, uint32_t precision);
  // The same with the slots in `storage` (grown as needed, kept by the caller's workspace): a
  // field's rows are up to a few MiB, whose fresh pages cost more than decoding a short field.
  // The table is valid while storage is neither resized nor reused.
  FlatDecodeTable(std::span<const entropy::FrequencyTable> tables, uint32_t precision,
                  SlotStorage& storage);

  uint32_t precision() const { return precision_; }
  const uint32_t* slots() const { return slots_; }

 private:
  void fill(std::span<const entropy::FrequencyTable> tables);

  uint32_t precision_;
  std::unique_ptr<uint32_t[]> owned_;
  uint32_t* slots_ = nullptr;
};

// Encodes symbols (symbol i with tables[contexts[i]], or tables[0] when contexts is empty) into the
// stream flat_decode reads, appended to out, with `lanes` states (1, kFieldLanesLong or
// kFieldLanesWide). Every symbol must have a non-zero frequency in its table and every table must
// have `alphabet` entries (the caller built them from these symbols).
void flat_encode(std::span<const uint16_t> symbols, std::span<const uint8_t> contexts,
                 std::span<const entropy::FrequencyTable> tables, uint32_t alphabet, int lanes,
                 std::vector<uint8_t>& out);
// The same stream in workspace memory (field_scratch(); valid until the next field is coded on
// this thread), for a caller that copies it once into its payload.
std::span<const uint8_t> flat_encode_stream(std::span<const uint16_t> symbols,
                                            std::span<const uint8_t> contexts,
                                            std::span<const entropy::FrequencyTable> tables,
                                            uint32_t alphabet, int lanes);

// Decodes symbols.size() symbols coded with `lanes` states; symbol i uses context contexts[i]
// (every context must be below the table's context count: the caller checks) or context 0 when
// contexts is empty. Throws lcl::Error(kCorruptInput) when the stream is not exactly one the
// encoder wrote.
void flat_decode(std::span<const uint8_t> in, const FlatDecodeTable& table,
                 std::span<const uint8_t> contexts, int lanes, std::span<uint16_t> symbols);

}  // namespace lcl::quant
