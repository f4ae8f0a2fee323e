// Float codec encoder: histogram, model choice, then the escape, raw-bit and rANS streams.
#include <cstring>

#include "codecs/float_coder.hpp"
#include "codecs/float_dispatch.hpp"
#include "codecs/float_encode_simd.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/rans_interleaved.hpp"
#include "util/byte_io.hpp"

namespace lcl::float_format {

namespace {

template <class Elem>
Elem load(const uint8_t* p) {
  Elem v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Histogram of the top 16 bits of each element. Counted in 32 bits (half the cache footprint)
// over blocks that cannot overflow, summed into 64 bits.
template <class Elem>
std::span<const uint64_t> count_top16(const uint8_t* data, uint64_t n) {
  constexpr int kShift = sizeof(Elem) * 8 - 16;
  // Reused per thread: fresh buffers of this size come from mmap and page-fault on every chunk.
  thread_local std::vector<uint64_t> total(65536);
  thread_local std::vector<uint32_t> block(65536);
  std::fill(total.begin(), total.end(), 0);
  for (uint64_t start = 0; start < n;) {
    const uint64_t end = std::min<uint64_t>(n, start + 0xFFFFFFFFull);
    std::fill(block.begin(), block.end(), 0);
    for (uint64_t i = start; i < end; ++i) ++block[load<Elem>(data + i * sizeof(Elem)) >> kShift];
    for (size_t v = 0; v < block.size(); ++v) total[v] += block[v];
    start = end;
  }
  return total;
}

template <class Elem>
void encode_body(const uint8_t* data, uint64_t n, const FloatLayout& layout,
                 const FloatModel& model, std::vector<uint8_t>& out) {
  const uint32_t symbol_bits = layout.symbol_bits(model.k);
  const uint32_t raw_bits = layout.raw_bits(model.k);
  const Elem raw_mask = static_cast<Elem>((uint64_t{1} << raw_bits) - 1);
  const size_t escape = size_t{1} << symbol_bits;

  ByteWriter w(out);
  w.u8(static_cast<uint8_t>(model.k));
  entropy::write_compact_table(model.table, w);
  w.varint(model.escape_count);
  if (model.escape_count != 0) {
    std::vector<uint32_t> escaped_values;
    escaped_values.reserve(model.escape_count);
    for (uint64_t i = 0; i < n; ++i) {
      const uint32_t s = load<Elem>(data + i * sizeof(Elem)) >> raw_bits;
      if (model.escaped[s]) escaped_values.push_back(s);
    }
    entropy::append_packed(out, escaped_values.size(), symbol_bits,
                           [&](uint64_t i) { return escaped_values[i]; });
  }
  const bool kernels = float_kernels_available();
  if (kernels)
    append_raw_bits_bmi2(data, n, sizeof(Elem), raw_bits, out);
  else
    entropy::append_packed(out, n, raw_bits, [&](uint64_t i) -> uint32_t {
      return load<Elem>(data + i * sizeof(Elem)) & raw_mask;
    });

  // The raw section's last bytes move into the lanes' initial states (float_format.hpp).
  const size_t stashed = stashed_raw_bytes(entropy::packed_bytes(n, raw_bits));
  uint8_t stash[2 * kLanes] = {};
  std::memcpy(stash, out.data() + out.size() - stashed, stashed);
  out.resize(out.size() - stashed);
  uint32_t initial[kLanes];
  for (int l = 0; l < kLanes; ++l)
    initial[l] = entropy::kStateLow | stash[2 * l] | uint32_t{stash[2 * l + 1]} << 8;

  // Escaped symbols share the escape's coding entry, so the hot loop has no branch for them.
  // Entries of values that do not occur are never read and keep whatever they held (the buffer
  // is reused per thread: a fresh one per chunk costs page faults and zero-filling).
  const entropy::FrequencyTable& table = model.table.table;
  thread_local std::vector<entropy::EncoderSymbol> by_value;
  by_value.resize(std::max(by_value.size(), escape));
  uint32_t cum = 0;
  for (size_t s = 0; s < escape; ++s) {
    if (table.freq[s] == 0) continue;
    by_value[s] = entropy::make_encoder_symbol(cum, table.freq[s], table.precision_bits);
    cum += table.freq[s];
  }
  if (model.escape_count != 0) {
    const auto escape_entry =
        entropy::make_encoder_symbol(cum, table.freq[escape], table.precision_bits);
    for (size_t s = 0; s < escape; ++s)
      if (model.escaped[s]) by_value[s] = escape_entry;
  }
  const entropy::EncoderSymbol* entries = by_value.data();
  if (kernels && table.precision_bits <= 14) {
    encode_symbols_avx512(data, n, sizeof(Elem), raw_bits, entries, static_cast<uint32_t>(escape),
                          table.precision_bits, initial, out);
    return;
  }
  entropy::encode_interleaved<kLanes>(
      n,
      [&](size_t i) -> const entropy::EncoderSymbol& {
        return entries[load<Elem>(data + i * sizeof(Elem)) >> raw_bits];
      },
      out, initial);
}

}  // namespace

void encode_floats(std::span<const uint8_t> input, const FloatLayout& layout,
                   std::vector<uint8_t>& out, const FloatModelOptions& options) {
  const uint64_t n = input.size() / layout.bytes;
  out.reserve(out.size() + input.size() + input.size() / 8 + 4096);  // one allocation, any data
  const auto tail = input.subspan(n * layout.bytes);
  ByteWriter w(out);
  w.u8(kVersion);
  w.u8(static_cast<uint8_t>(layout.kind));
  w.varint(n);
  w.varint(tail.size());
  w.bytes(tail);
  if (n == 0) return;
  if (layout.bytes == 2) {
    const auto top16 = count_top16<uint16_t>(input.data(), n);
    encode_body<uint16_t>(input.data(), n, layout, choose_float_model(top16, layout, n, options),
                          out);
  } else {
    const auto top16 = count_top16<uint32_t>(input.data(), n);
    encode_body<uint32_t>(input.data(), n, layout, choose_float_model(top16, layout, n, options),
                          out);
  }
}

}  // namespace lcl::float_format
