#include "codecs/fields/quant_rans.hpp"

#include <bit>
#include <cstring>

#include "codecs/fields/anchored_lanes.hpp"
#include "codecs/fields/quant_rans_simd.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "entropy/rans_interleaved.hpp"
#include "entropy/rans_tables.hpp"
#include "lcl/error.hpp"
#include "util/endian.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant {
namespace {

constexpr uint32_t kStateLow = entropy::kStateLow;
static_assert(field_simd::kLanes == kFieldLanesWide && field_simd::kLanes64 == kFieldLanesWide64,
              "the wide kernels code kFieldLanesWide or kFieldLanesWide64 lanes");

// One symbol from its slot; the renormalisation is separate so the fast path can do it
// branch-free and the tail with a bounds check.
template <uint32_t kPrecision>
inline uint16_t step(uint32_t& x, uint32_t slot) {
  x = ((slot >> 20) + 1) * (x >> kPrecision) + ((slot >> 8) & 0xFFF);
  return static_cast<uint16_t>(slot & 0xFF);
}

// The loop, specialised on whether symbols have contexts (the plain case skips the context load)
// and on the precision (constant shifts and masks).
template <int L, bool kContexts, uint32_t kPrecision>
void decode_loop(std::span<const uint8_t> in, const FlatDecodeTable& table, const uint8_t* contexts,
                 std::span<uint16_t> symbols) {
  const size_t n = symbols.size();
  if (n == 0) {
    if (!in.empty()) throw_corrupt("rANS stream: bytes present for zero symbols");
    return;
  }
  if (in.size() < 4 * L || in.size() % 2 != 0) throw_corrupt("rANS stream: truncated header");
  const uint8_t* p = in.data();
  const uint8_t* const end = p + in.size();
  uint32_t x[L];
  for (int l = 0; l < L; ++l, p += 4) {
    x[l] = load_u32le(p);
    if (x[l] < kStateLow) throw_corrupt("rANS stream: invalid initial state");
  }
  constexpr uint32_t mask = (1u << kPrecision) - 1;
  const uint32_t* const slots = table.slots();
  uint16_t* const out = symbols.data();
  size_t i = 0;
  if constexpr ((L == field_simd::kLanes || L == field_simd::kLanes64) && kernels::kAvx512Built) {
    if (kernels::avx512_available())
      i = field_simd::decode_wide_avx512(slots, kPrecision, kContexts ? contexts : nullptr, out, 0,
                                         n, x, p, end);
    else if (kernels::avx2_available())
      i = field_simd::decode_wide_avx2(slots, kPrecision, kContexts ? contexts : nullptr, out, 0, n,
                                       x, p, end);
  }
  auto slot_of = [&](size_t i, uint32_t state) {
    const uint32_t base = kContexts ? uint32_t{contexts[i]} << kPrecision : 0;
    return slots[base | (state & mask)];
  };
  // A group of L symbols reads at most L words, so one bounds check covers the group.
  while (n - i >= L && static_cast<size_t>(end - p) >= 2 * L) {
    // All lanes' steps first, then their refills at offsets from a prefix sum of the lanes that
    // need a word: refilling lane by lane made every lane's word load wait for the previous
    // lanes' pointer updates, one chain through all lanes that bounded the loop.
    uint32_t offset[L];
    uint32_t taken = 0;
#pragma GCC unroll 16
    for (int l = 0; l < L; ++l) {
      out[i + l] = step<kPrecision>(x[l], slot_of(i + l, x[l]));
      offset[l] = taken;
      taken += 2 * (x[l] < kStateLow);
    }
#pragma GCC unroll 16
    for (int l = 0; l < L; ++l) {
      const uint32_t mask = 0u - (x[l] < kStateLow);
      x[l] = (((x[l] << 16) | load_u16le(p + offset[l])) & mask) | (x[l] & ~mask);
    }
    p += taken;
    i += L;
  }
  for (; i < n; ++i) {
    uint32_t& s = x[i % L];
    out[i] = step<kPrecision>(s, slot_of(i, s));
    if (s < kStateLow) {
      if (end - p < 2) throw_corrupt("rANS stream: truncated");
      s = (s << 16) | load_u16le(p);
      p += 2;
    }
  }
  if (p != end) throw_corrupt("rANS stream: trailing bytes");
  for (int l = 0; l < L; ++l)
    if (x[l] != kStateLow) throw_corrupt("rANS stream: final state mismatch");
}

template <bool kContexts, uint32_t kPrecision>
void decode_lanes(std::span<const uint8_t> in, const FlatDecodeTable& table,
                  const uint8_t* contexts, int lanes, std::span<uint16_t> symbols) {
  switch (lanes) {
    case 1:
      return decode_loop<1, kContexts, kPrecision>(in, table, contexts, symbols);
    case kFieldLanesLong:
      return decode_loop<kFieldLanesLong, kContexts, kPrecision>(in, table, contexts, symbols);
    case kFieldLanesWide:
      return decode_loop<kFieldLanesWide, kContexts, kPrecision>(in, table, contexts, symbols);
    case kFieldLanesWide64:
      return decode_loop<kFieldLanesWide64, kContexts, kPrecision>(in, table, contexts, symbols);
  }
  throw Error(ErrorKind::kUsage, "flat_decode: unsupported lane count");
}

template <int L>
void encode_lanes(std::span<const uint16_t> symbols, const uint8_t* contexts,
                  const entropy::EncoderSymbol* table, uint32_t alphabet,
                  std::vector<uint8_t>& out) {
  const uint16_t* sym = symbols.data();
  if (!contexts) {
    entropy::encode_interleaved<L>(
        symbols.size(), [&](size_t i) -> const entropy::EncoderSymbol& { return table[sym[i]]; },
        out);
  } else {
    entropy::encode_interleaved<L>(
        symbols.size(),
        [&](size_t i) -> const entropy::EncoderSymbol& {
          return table[contexts[i] * alphabet + sym[i]];
        },
        out);
  }
}

// encode_lanes<L> (L = kFieldLanesWide or kFieldLanesWide64) with the AVX2 encoder doing the
// whole groups (the same stream, see anchored_lanes::encode_stream).
// Returns the stream where the coder left it (workspace memory, valid until the next field is
// coded on this thread), which the caller copies once.
template <int L>
std::span<const uint8_t> encode_wide(std::span<const uint16_t> symbols, const uint8_t* contexts,
                                     const entropy::EncoderSymbol* flat,
                                     std::span<const entropy::FrequencyTable> tables,
                                     uint32_t alphabet, std::vector<uint8_t>& scratch) {
  if (!kernels::avx2_available()) {
    encode_lanes<L>(symbols, contexts, flat, alphabet, scratch);
    return scratch;
  }
  const uint32_t precision = tables.front().precision_bits;
  // The kernel's entries, packed; like `flat`, only present symbols' entries are written or read.
  std::vector<uint64_t>& entries = field_scratch().wide_entries;
  if (entries.size() < tables.size() * alphabet) entries.resize(tables.size() * alphabet);
  for (size_t c = 0; c < tables.size(); ++c)
    for (uint32_t s = 0; s < tables[c].freq.size(); ++s)
      if (tables[c].freq[s] != 0)
        entries[c * alphabet + s] = entropy::pack_encoder_symbol(flat[c * alphabet + s], precision);
  uint32_t initial[L];
  std::fill(std::begin(initial), std::end(initial), entropy::kStateLow);
  return anchored_lanes::encode_stream(
      symbols.size(), initial,
      [&](size_t i) -> const entropy::EncoderSymbol& {
        return flat[(contexts ? contexts[i] * alphabet : 0) + symbols[i]];
      },
      [&](size_t groups, uint32_t(&x)[L], uint16_t*& w) {
        if constexpr (kernels::kAvx512Built) {
          if (kernels::avx512_available())
            field_simd::encode_wide_avx512(entries.data(), alphabet, precision, symbols.data(),
                                           contexts, groups, x, w);
          else
            field_simd::encode_wide_avx2(entries.data(), alphabet, precision, symbols.data(),
                                         contexts, groups, x, w);
        }
      },
      true);
}

}  // namespace

FlatDecodeTable::FlatDecodeTable(std::span<const entropy::FrequencyTable> tables,
                                 uint32_t precision)
    : precision_(precision) {
  if (precision < 1 || precision > kMaxFlatPrecision)
    throw_corrupt("field table precision above 12 bits");
  // Not zero-filled: rows of unused contexts are never read (the caller checks every symbol's
  // context), and for byte fields they are most of the array.
  owned_.reset(new uint32_t[tables.size() << precision]);
  slots_ = owned_.get();
  fill(tables);
}

FlatDecodeTable::FlatDecodeTable(std::span<const entropy::FrequencyTable> tables,
                                 uint32_t precision, SlotStorage& storage)
    : precision_(precision) {
  if (precision < 1 || precision > kMaxFlatPrecision)
    throw_corrupt("field table precision above 12 bits");
  if (storage.size() < (tables.size() << precision)) storage.resize(tables.size() << precision);
  slots_ = storage.data();
  fill(tables);
}

void FlatDecodeTable::fill(std::span<const entropy::FrequencyTable> tables) {
  const uint32_t precision = precision_;
  const uint32_t total = 1u << precision;
  for (size_t c = 0; c < tables.size(); ++c) {
    const entropy::FrequencyTable& t = tables[c];
    if (t.freq.empty()) continue;
    if (t.freq.size() > 256 || t.precision_bits != precision)
      throw_corrupt("field table: alphabet or precision out of range");
    uint64_t sum = 0;
    for (uint32_t f : t.freq) sum += f;
    if (sum != total) throw_corrupt("field table does not sum to its precision total");
    uint32_t* slot = slots_ + (c << precision);
    for (uint32_t s = 0; s < t.freq.size(); ++s) {
      const uint32_t f = t.freq[s];
      const uint32_t fixed = ((f - 1) << 20) | s;
      for (uint32_t j = 0; j < f; ++j) slot[j] = fixed | (j << 8);
      slot += f;
    }
  }
}

std::span<const uint8_t> flat_encode_stream(std::span<const uint16_t> symbols,
                                            std::span<const uint8_t> contexts,
                                            std::span<const entropy::FrequencyTable> tables,
                                            uint32_t alphabet, int lanes) {
  std::vector<uint8_t>& out = field_scratch().coded;
  out.clear();
  if (symbols.empty()) return out;
  if (!contexts.empty() && contexts.size() != symbols.size())
    throw Error(ErrorKind::kUsage, "flat_encode: one context per symbol");
  // One array over (context, symbol), so a symbol costs one indexed load. Kept by the workspace
  // and not cleared: only the entries of symbols present in their table are ever read.
  std::vector<entropy::EncoderSymbol>& flat = field_scratch().flat;
  if (flat.size() < tables.size() * alphabet) flat.resize(tables.size() * alphabet);
  for (size_t c = 0; c < tables.size(); ++c) {
    const entropy::FrequencyTable& t = tables[c];
    if (t.freq.size() > alphabet) throw Error(ErrorKind::kUsage, "flat_encode: table too large");
    uint32_t cum = 0;
    for (uint32_t s = 0; s < t.freq.size(); ++s) {
      if (t.freq[s] == 0) continue;
      flat[c * alphabet + s] = entropy::make_encoder_symbol(cum, t.freq[s], t.precision_bits);
      cum += t.freq[s];
    }
  }
  const uint8_t* c = contexts.empty() ? nullptr : contexts.data();
  switch (lanes) {
    case 1:
      encode_lanes<1>(symbols, c, flat.data(), alphabet, out);
      return out;
    case kFieldLanesLong:
      encode_lanes<kFieldLanesLong>(symbols, c, flat.data(), alphabet, out);
      return out;
    case kFieldLanesWide:
      return encode_wide<kFieldLanesWide>(symbols, c, flat.data(), tables, alphabet, out);
    case kFieldLanesWide64:
      return encode_wide<kFieldLanesWide64>(symbols, c, flat.data(), tables, alphabet, out);
  }
  throw Error(ErrorKind::kUsage, "flat_encode: unsupported lane count");
}

void flat_encode(std::span<const uint16_t> symbols, std::span<const uint8_t> contexts,
                 std::span<const entropy::FrequencyTable> tables, uint32_t alphabet, int lanes,
                 std::vector<uint8_t>& out) {
  const std::span<const uint8_t> stream =
      flat_encode_stream(symbols, contexts, tables, alphabet, lanes);
  out.insert(out.end(), stream.begin(), stream.end());
}

void flat_decode(std::span<const uint8_t> in, const FlatDecodeTable& table,
                 std::span<const uint8_t> contexts, int lanes, std::span<uint16_t> symbols) {
  if (!contexts.empty() && contexts.size() != symbols.size())
    throw Error(ErrorKind::kUsage, "flat_decode: one context per symbol");
  const uint8_t* c = contexts.empty() ? nullptr : contexts.data();
  switch (table.precision() * 2 + (c ? 1 : 0)) {
#define LCL_FLAT_DECODE_CASE(P)                                  \
  case 2 * P:                                                    \
    return decode_lanes<false, P>(in, table, c, lanes, symbols); \
  case 2 * P + 1:                                                \
    return decode_lanes<true, P>(in, table, c, lanes, symbols);
    LCL_FLAT_DECODE_CASE(8)
    LCL_FLAT_DECODE_CASE(9)
    LCL_FLAT_DECODE_CASE(10)
    LCL_FLAT_DECODE_CASE(11)
    LCL_FLAT_DECODE_CASE(12)
#undef LCL_FLAT_DECODE_CASE
  }
  throw_corrupt("field table precision outside 8..12");
}

}  // namespace lcl::quant
