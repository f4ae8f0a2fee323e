// Float codec encoder: histogram, model choice, then the escape, raw-bit and rANS streams.
#include <algorithm>
#include <bit>
#include <cstring>

#include "codecs/codec_scratch.hpp"
#include "codecs/float/float_coder.hpp"
#include "codecs/float/float_encode_simd.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/rans_interleaved.hpp"
#include "util/byte_io.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::float_format {

namespace {

template <class Elem>
Elem load(const uint8_t* p) {
  Elem v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Adds the non-zero counters to `into` (present symbols, increasing) and zeroes them again, 16
// counters at a time past untouched stretches (a chunk touches a few thousand of 2^15).
void drain_counters(std::span<uint32_t> counters, SymbolCounts& into, SymbolCounts& merged) {
  merged.clear();
  size_t j = 0;  // next entry of `into` to merge
  constexpr size_t kGroup = 16;
  for (size_t base = 0; base < counters.size(); base += kGroup) {
    const size_t group_end = std::min(counters.size(), base + kGroup);
    uint32_t any = 0;
    for (size_t s = base; s < group_end; ++s) any |= counters[s];
    if (any == 0) continue;
    for (size_t s = base; s < group_end; ++s) {
      if (counters[s] == 0) continue;
      for (; j < into.symbols.size() && into.symbols[j] < s; ++j) {
        merged.symbols.push_back(into.symbols[j]);
        merged.counts.push_back(into.counts[j]);
      }
      uint64_t count = counters[s];
      if (j < into.symbols.size() && into.symbols[j] == s) count += into.counts[j++];
      merged.symbols.push_back(static_cast<uint32_t>(s));
      merged.counts.push_back(count);
      counters[s] = 0;
    }
  }
  for (; j < into.symbols.size(); ++j) {
    merged.symbols.push_back(into.symbols[j]);
    merged.counts.push_back(into.counts[j]);
  }
  std::swap(into, merged);
}

// Counts elements [begin, end) by their value >> shift and returns how many have their lowest bit
// set (version 3's test, here so that it costs no pass of its own). Two or four elements per
// 64-bit load (little-endian: element j is bits [j * width, (j + 1) * width)): 1.7 times the speed
// of a load per element, which left the histogram a fifth of the encoder's time.
template <class Elem>
uint64_t count_block(const uint8_t* data, uint64_t begin, uint64_t end, uint32_t shift,
                     uint32_t symbol_bits, uint32_t* counters) {
  static_assert(std::endian::native == std::endian::little, "elements are little-endian");
  constexpr uint32_t kWidth = sizeof(Elem) * 8;
  constexpr uint32_t kPerWord = 8 / sizeof(Elem);
  // Bit 0 of every element of a word; times this constant, their sum lands in the top element.
  constexpr uint64_t kLowBits = sizeof(Elem) == 2 ? 0x0001000100010001ull : 0x0000000100000001ull;
  const uint64_t mask = (uint64_t{1} << symbol_bits) - 1;
  uint64_t lowest_set = 0;
  uint64_t i = begin;
  for (; i + kPerWord <= end; i += kPerWord) {
    uint64_t word;
    std::memcpy(&word, data + i * sizeof(Elem), 8);
    for (uint32_t j = 0; j < kPerWord; ++j) ++counters[(word >> (j * kWidth + shift)) & mask];
    lowest_set += ((word & kLowBits) * kLowBits) >> (64 - kWidth);
  }
  for (; i < end; ++i) {
    const Elem v = load<Elem>(data + i * sizeof(Elem));
    ++counters[v >> shift];
    lowest_set += v & 1u;
  }
  return lowest_set;
}

// Histogram of the top `symbol_bits` of the `value_bits` bits of each element (the widest
// symbols), as its present symbols; returns how many elements have their lowest bit set. Counted
// in 32 bits over blocks that cannot overflow. The counters are kept by the workspace and
// drain_counters leaves them zero, so a chunk pays neither for clearing the whole table nor for
// page faults on a fresh one.
template <class Elem>
uint64_t count_symbols(const uint8_t* data, uint64_t n, uint32_t value_bits, uint32_t symbol_bits,
                       SymbolCounts& out, FloatEncodeScratch& scratch) {
  const uint32_t shift = value_bits - symbol_bits;
  std::vector<uint32_t>& counters = scratch.counters;  // all zero between calls
  if (counters.size() < (size_t{1} << symbol_bits)) counters.resize(size_t{1} << symbol_bits);
  const std::span<uint32_t> table(counters.data(), size_t{1} << symbol_bits);
  out.clear();
  uint64_t lowest_set = 0;
  for (uint64_t start = 0; start < n;) {
    const uint64_t end = std::min<uint64_t>(n, start + 0xFFFFFFFFull);
    lowest_set += count_block<Elem>(data, start, end, shift, symbol_bits, table.data());
    drain_counters(table, out, scratch.merged);
    start = end;
  }
  return lowest_set;
}

// Coding entry per symbol value: escaped values share the escape's entry, so the hot loops have
// no branch for them. Entries of values that do not occur are never read and keep whatever they
// held (the buffer is kept by the workspace: a fresh one per chunk costs page faults and zeroing).
const entropy::EncoderSymbol* entries_by_value(const FloatModel& model, size_t escape,
                                               entropy::EncoderSymbol* escape_entry,
                                               std::vector<entropy::EncoderSymbol>& by_value) {
  const entropy::FrequencyTable& table = model.table.table;
  by_value.resize(std::max(by_value.size(), escape));
  uint32_t cum = 0;
  for (size_t s = 0; s < escape; ++s) {
    if (table.freq[s] == 0) continue;
    by_value[s] = entropy::make_encoder_symbol(cum, table.freq[s], table.precision_bits);
    cum += table.freq[s];
  }
  if (model.escape_count != 0) {
    *escape_entry = entropy::make_encoder_symbol(cum, table.freq[escape], table.precision_bits);
    for (size_t s = 0; s < escape; ++s)
      if (model.escaped[s]) by_value[s] = *escape_entry;
  }
  return by_value.data();
}

// The raw section's last bytes move into the lanes' initial states (float_format.hpp): takes
// them off the end of `raw` and returns the states.
void take_stash(std::vector<uint8_t>& raw, uint64_t raw_bytes, uint32_t (&initial)[kLanes]) {
  const size_t stashed = stashed_raw_bytes(raw_bytes);
  uint8_t stash[2 * kLanes] = {};
  std::memcpy(stash, raw.data() + raw.size() - stashed, stashed);
  raw.resize(raw.size() - stashed);
  for (int l = 0; l < kLanes; ++l)
    initial[l] = entropy::kStateLow | stash[2 * l] | uint32_t{stash[2 * l + 1]} << 8;
}

// The portable encoder: the escape fields, the raw fields and the stream, one pass each.
template <class Elem>
void encode_streams(const uint8_t* data, uint64_t n, const FloatLayout& layout,
                    const FloatModel& model, std::vector<uint8_t>& out, FloatEncodeScratch& scratch,
                    entropy::CoderScratch& coder) {
  const uint32_t symbol_bits = layout.symbol_bits(model.k);
  const uint32_t raw_bits = layout.raw_bits(model.k);
  const Elem raw_mask = static_cast<Elem>((uint64_t{1} << raw_bits) - 1);
  if (model.escape_count != 0) {
    std::vector<uint32_t> escaped_values;
    escaped_values.reserve(model.escape_count);
    for (uint64_t i = 0; i < n; ++i) {
      const uint32_t s = load<Elem>(data + i * sizeof(Elem)) >> raw_bits;
      if (model.escaped[s]) escaped_values.push_back(s);
    }
    entropy::append_packed(
        out, escaped_values.size(), symbol_bits, [&](uint64_t i) { return escaped_values[i]; },
        coder.packed);
  }
  entropy::append_packed(
      out, n, raw_bits,
      [&](uint64_t i) -> uint32_t { return load<Elem>(data + i * sizeof(Elem)) & raw_mask; },
      coder.packed);
  uint32_t initial[kLanes];
  take_stash(out, entropy::packed_bytes(n, raw_bits), initial);
  entropy::EncoderSymbol escape_entry;
  const entropy::EncoderSymbol* entries =
      entries_by_value(model, size_t{1} << symbol_bits, &escape_entry, scratch.by_value);
  entropy::encode_interleaved<kLanes>(
      n,
      [&](size_t i) -> const entropy::EncoderSymbol& {
        return entries[load<Elem>(data + i * sizeof(Elem)) >> raw_bits];
      },
      out, initial, coder.words);
}

// The same bytes with the x86-64 kernels: the rANS kernel finds the escaped elements while it
// codes (they share one coding entry), so no pass over the data is spent on them. The escape
// fields come first in the payload; their size follows from the model's escape count, so the
// raw fields go straight after a gap the escape fields fill once the kernel ran (the raw section
// is a large part of the payload: copying it once more cost ~2% of the encoder's time).
template <class Elem>
void encode_streams_with_kernels(const uint8_t* data, uint64_t n, const FloatLayout& layout,
                                 const FloatModel& model, bool avx512, std::vector<uint8_t>& out,
                                 FloatEncodeScratch& scratch) {
  const uint32_t symbol_bits = layout.symbol_bits(model.k);
  const uint32_t raw_bits = layout.raw_bits(model.k);
  const size_t escapes_at = out.size();
  const uint64_t escape_bytes = entropy::packed_bytes(model.escape_count, symbol_bits);
  out.resize(escapes_at + escape_bytes);
  append_raw_bits_bmi2(data, n, sizeof(Elem), raw_bits, out, scratch.raw_bits);
  uint32_t initial[kLanes];
  take_stash(out, entropy::packed_bytes(n, raw_bits), initial);
  const size_t escape = size_t{1} << symbol_bits;
  entropy::EncoderSymbol escape_entry;
  const entropy::EncoderSymbol* entries =
      entries_by_value(model, escape, &escape_entry, scratch.by_value);
  std::vector<uint64_t>& escaped_at = scratch.escaped_at;
  const auto stream =
      encode_symbols_simd(data, n, sizeof(Elem), raw_bits, entries, static_cast<uint32_t>(escape),
                          model.table.table.precision_bits, initial,
                          model.escape_count != 0 ? &escape_entry : nullptr, avx512, scratch);
  if (escaped_at.size() != model.escape_count)
    throw Error(ErrorKind::kUsage,
                "float encoder (internal): escape count differs from the model's");
  std::vector<uint8_t>& escape_fields = scratch.escape_fields;
  escape_fields.clear();
  entropy::append_packed(
      escape_fields, escaped_at.size(), symbol_bits,
      [&](uint64_t i) -> uint32_t {
        return load<Elem>(data + escaped_at[i] * sizeof(Elem)) >> raw_bits;
      },
      scratch.raw_bits);
  std::copy(escape_fields.begin(), escape_fields.end(),
            out.begin() + static_cast<ptrdiff_t>(escapes_at));
  out.insert(out.end(), stream.begin(), stream.end());
}

// `full_width`: the elements fill their Elem (the kernels assume it; version 3's shifted elements
// take the portable path).
template <class Elem>
void encode_body(const uint8_t* data, uint64_t n, const FloatLayout& layout,
                 const FloatModel& model, bool full_width, std::vector<uint8_t>& out,
                 FloatEncodeScratch& scratch, entropy::CoderScratch& coder) {
  ByteWriter w(out);
  w.u8(static_cast<uint8_t>(model.k));
  if (model.smooth_table)
    entropy::write_smooth_compact_table(model.table, w);
  else
    entropy::write_compact_table(model.table, w);
  w.varint(model.escape_count);
  if constexpr (kernels::kAvx512Built)
    if (full_width && model.table.table.precision_bits <= 14) {
      if (kernels::avx512_available())
        return encode_streams_with_kernels<Elem>(data, n, layout, model, true, out, scratch);
      if (kernels::avx2_available())
        return encode_streams_with_kernels<Elem>(data, n, layout, model, false, out, scratch);
    }
  encode_streams<Elem>(data, n, layout, model, out, scratch, coder);
}

// Version 3's choice (float_format.hpp): how many low mantissa bits t to take off, and which
// exponent classes keep theirs. A class keeps them when any of its elements has one of them set;
// t maximises the bits saved, t per element of the other classes, less t per element of the kept
// ones (their low bits are stored raw). Only tried when fewer than a quarter of the elements have
// their lowest mantissa bit set: trained weights with full mantissas have it in about half and
// skip the pass over the classes (each element with it set is in a kept class for every t).
struct LowBits {
  uint32_t t = 0;
  std::vector<uint8_t> kept;  // per exponent class
};

// `lowest_set`: how many elements have their lowest bit set (count_symbols finds it).
template <class Elem>
LowBits choose_low_bits(const uint8_t* data, uint64_t n, const FloatLayout& layout,
                        uint64_t lowest_set) {
  LowBits low;
  if (lowest_set >= n / 4) return low;
  const uint32_t m = layout.mantissa_bits;
  std::vector<uint32_t> ors(layout.classes(), 0);
  std::vector<uint64_t> counts(layout.classes(), 0);
  const uint32_t mantissa_mask = (uint32_t{1} << m) - 1;
  for (uint64_t i = 0; i < n; ++i) {
    const uint32_t v = load<Elem>(data + i * sizeof(Elem));
    ors[v >> m] |= v & mantissa_mask;
    ++counts[v >> m];
  }
  int64_t best_gain = 0;
  for (uint32_t t = 1; t <= m; ++t) {
    uint64_t kept = 0;
    for (size_t c = 0; c < ors.size(); ++c)
      if (ors[c] & ((uint32_t{1} << t) - 1)) kept += counts[c];
    const int64_t gain =
        static_cast<int64_t>(t) * (static_cast<int64_t>(n) - 2 * static_cast<int64_t>(kept));
    if (gain > best_gain) {
      best_gain = gain;
      low.t = t;
    }
  }
  if (low.t == 0) return low;
  low.kept.resize(ors.size());
  for (size_t c = 0; c < ors.size(); ++c)
    low.kept[c] = (ors[c] & ((uint32_t{1} << low.t) - 1)) != 0;
  return low;
}

// Histogram, model and body of the n elements (n > 0). When low bits are taken off (version 3's
// choice finds t > 0; a fixed k refers to the full layout, so never then) first the version 3
// fields, then the body of the shifted elements. Returns the payload version.
template <class Elem>
uint8_t encode_elements(const uint8_t* data, uint64_t n, const FloatLayout& layout,
                        const FloatModelOptions& options, std::vector<uint8_t>& out,
                        FloatEncodeScratch& scratch, entropy::CoderScratch& coder) {
  SymbolCounts& widest = scratch.widest;
  const uint32_t widest_bits = layout.symbol_bits(layout.max_k());
  const uint64_t lowest_set =
      count_symbols<Elem>(data, n, layout.bits, widest_bits, widest, scratch);
  LowBits low;
  if (options.k < 0 && options.take_low_bits)
    low = choose_low_bits<Elem>(data, n, layout, lowest_set);
  if (low.t == 0) {
    const FloatModel model = choose_float_model(widest, layout, n, options);
    encode_body<Elem>(data, n, layout, model, true, out, scratch, coder);
    return model.smooth_table ? kVersion : kVersionBytewiseTable;
  }
  const uint32_t t = low.t;
  const uint32_t m = layout.mantissa_bits;
  std::vector<Elem>& shifted = scratch.shifted<Elem>();
  std::vector<Elem>& kept_low = scratch.kept_low<Elem>();
  shifted.resize(n);
  kept_low.clear();
  for (uint64_t i = 0; i < n; ++i) {
    const Elem v = load<Elem>(data + i * sizeof(Elem));
    shifted[i] = static_cast<Elem>(v >> t);
    if (low.kept[v >> m]) kept_low.push_back(static_cast<Elem>(v & ((Elem{1} << t) - 1)));
  }
  ByteWriter w(out);
  w.u8(static_cast<uint8_t>(t));
  for (size_t c = 0; c < low.kept.size(); c += 8) {
    uint8_t bits = 0;
    for (size_t j = 0; j < 8; ++j) bits |= static_cast<uint8_t>(low.kept[c + j] << j);
    w.u8(bits);
  }
  w.varint(kept_low.size());
  entropy::append_packed(
      out, kept_low.size(), t, [&](uint64_t i) -> uint32_t { return kept_low[i]; }, coder.packed);
  const FloatLayout narrow = layout.without_low_bits(t);
  const auto* bytes = reinterpret_cast<const uint8_t*>(shifted.data());
  count_symbols<Elem>(bytes, n, narrow.bits, narrow.symbol_bits(narrow.max_k()), widest, scratch);
  const FloatModel model = choose_float_model(widest, narrow, n, options);
  encode_body<Elem>(bytes, n, narrow, model, false, out, scratch, coder);
  return model.smooth_table ? kVersionLowBits : kVersionBytewiseTableLowBits;
}

}  // namespace

void encode_floats(std::span<const uint8_t> input, const FloatLayout& layout,
                   std::vector<uint8_t>& out, Workspace& workspace,
                   const FloatModelOptions& options) {
  FloatEncodeScratch& scratch = workspace.scratch().float_encode;
  entropy::CoderScratch& coder = workspace.scratch().coder;
  const uint64_t n = input.size() / layout.bytes;
  out.reserve(out.size() + input.size() + input.size() / 8 + 4096);  // one allocation, any data
  const auto tail = input.subspan(n * layout.bytes);
  const size_t version_at = out.size();  // set once the elements have chosen their payload
  ByteWriter w(out);
  w.u8(kVersion);
  w.u8(static_cast<uint8_t>(layout.kind));
  w.varint(n);
  w.varint(tail.size());
  w.bytes(tail);
  if (n == 0) return;
  out[version_at] =
      layout.bytes == 2
          ? encode_elements<uint16_t>(input.data(), n, layout, options, out, scratch, coder)
          : encode_elements<uint32_t>(input.data(), n, layout, options, out, scratch, coder);
}

}  // namespace lcl::float_format
