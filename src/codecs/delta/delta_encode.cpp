// Delta codec encoder: one pass maps every element to (context, symbol, raw bits), the tables are
// chosen from the per-context histograms, then the rANS pass codes the symbols.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "codecs/codec_scratch.hpp"
#include "codecs/delta/delta_blocks.hpp"
#include "codecs/delta/delta_coder.hpp"
#include "codecs/delta/delta_encode_kernel.hpp"
#include "codecs/delta/delta_format.hpp"
#include "codecs/ggml_blocks/ggml_block_codec.hpp"
#include "entropy/bit_io.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/compact_table.hpp"
#include "entropy/rans_interleaved.hpp"
#include "lcl/error.hpp"
#include "util/byte_buffer.hpp"
#include "util/byte_io.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::delta_format {

namespace {

// Fixed model shape: measured on a real bf16 pair, K = 6, M = 3 codes within 0.6% of the exact
// symbol of the difference (the order-0 bound given the base exponent) with an alphabet of 144
// symbols (16-bit) or 272 (32-bit), so tables stay small and no escape path is needed. K = 7
// (alphabet 200 or 328) gives 0.2% more bytes (5.694x against 5.705x on that pair) but halves
// the moves that take raw bits (0.8% of the elements against 1.6%), which the AVX2 decoder redoes
// one by one: it decodes ~13% faster. Tables of 16-bit elements stay within 256 symbols.
constexpr uint32_t kExactBits = 7;   // K
constexpr uint32_t kBucketBits = 3;  // M
// Table precision: the coarsest of 10, 11 and 12 bits that costs at most 0.5% more than 12 bits
// (estimated by rounding each table's counts). Coarser tables decode faster (the AVX2 kernel's
// packed tables take 4 bytes per slot: 4 KiB each at 10 bits stay in L1): on the shared pair 10
// bits cost 0.3% and decode ~15% faster than 12; fine-tunes that move further (the same pair's
// moves made 4x larger) lose 0.7% at 10 bits and 0.2% at 11, and take 11.
constexpr uint32_t kFinestPrecision = 12;
constexpr uint32_t kCoarsestPrecision = 10;
constexpr double kPrecisionTolerance = 0.005;

// Estimated bits of the counts at precision p: each present symbol's frequency rounded from its
// share of 2^p, at least 1 (the normaliser's result differs a little, the same way at every p).
double rounded_table_bits(const std::vector<uint64_t>& counts, uint32_t p) {
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  if (n == 0) return 0;
  const double scale = static_cast<double>(1u << p) / static_cast<double>(n);
  double freq_sum = 0, bits = 0;
  for (uint64_t c : counts)
    if (c) {
      const double f = std::max(1.0, std::round(static_cast<double>(c) * scale));
      freq_sum += f;
      bits -= static_cast<double>(c) * std::log2(f);
    }
  return bits + static_cast<double>(n) * std::log2(freq_sum);
}

uint32_t choose_precision(const std::vector<std::vector<uint64_t>>& histograms) {
  auto bits_at = [&](uint32_t p) {
    double bits = 0;
    for (const auto& h : histograms) bits += rounded_table_bits(h, p);
    return bits;
  };
  const double finest = bits_at(kFinestPrecision);
  for (uint32_t p = kCoarsestPrecision; p < kFinestPrecision; ++p)
    if (bits_at(p) <= finest * (1 + kPrecisionTolerance)) return p;
  return kFinestPrecision;
}

template <class Elem>
Elem load(const uint8_t* p) {
  Elem v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Bits to code `counts` (total `n`) with a table built from `model` (total `model_n`).
double cross_entropy_bits(const uint32_t* counts, const uint64_t* model, uint64_t model_n,
                          uint32_t alphabet) {
  double bits = 0;
  for (uint32_t s = 0; s < alphabet; ++s)
    if (counts[s]) {
      // A symbol absent from the model would get the smallest frequency: charge it as rare.
      const double p = model[s] ? static_cast<double>(model[s]) / static_cast<double>(model_n)
                                : 1.0 / static_cast<double>(1u << kFinestPrecision);
      bits -= counts[s] * std::log2(p);
    }
  return bits;
}

double own_entropy_bits(const uint32_t* counts, uint64_t n, uint32_t alphabet, uint32_t& present) {
  double bits = 0;
  present = 0;
  for (uint32_t s = 0; s < alphabet; ++s)
    if (counts[s]) {
      ++present;
      bits -= counts[s] * std::log2(static_cast<double>(counts[s]) / static_cast<double>(n));
    }
  return bits;
}

template <class Elem>
void encode_float_body(const uint8_t* in, const uint8_t* ref, uint64_t n, const FloatLayout& layout,
                       ByteWriter& w, DeltaEncodeScratch& scratch, entropy::StreamWords& words) {
  const uint32_t k = kExactBits, m = kBucketBits;
  const uint32_t alphabet = alphabet_size(layout.bits, k, m);
  const uint32_t contexts = 1u << exponent_bits(layout);
  const uint32_t shift = layout.mantissa_bits;

  // Pass 1: symbols, contexts, raw bits, histograms. Kept by the workspace and not zeroed.
  auto& symbols = scratch.symbols;
  auto& context_of = scratch.context_of;
  std::vector<uint32_t>& counts = scratch.counts;
  std::vector<uint8_t>& raw = scratch.raw;
  symbols.resize(n);
  context_of.resize(n);
  raw.clear();
  std::vector<uint64_t> context_total(contexts, 0);
  {
    // Raw pointers: stores through uint8_t* may alias anything, vectors would be reloaded.
    counts.assign(static_cast<size_t>(contexts) * alphabet + 1, 0);  // + the kernel's spare
    uint32_t* const hist = counts.data();
    uint16_t* const sym = symbols.data();
    uint8_t* const ctx = context_of.data();
    entropy::BitWriter bits(raw);
    const auto map_element = [&](uint64_t i) {
      const Elem b = load<Elem>(ref + i * sizeof(Elem));
      const Elem v = load<Elem>(in + i * sizeof(Elem));
      const auto z = static_cast<uint32_t>(zigzag(static_cast<Elem>(ordered(v) - ordered(b))));
      const uint32_t c = (b >> shift) & (contexts - 1);
      uint32_t symbol = z;
      if (z >= (1u << k)) [[unlikely]] {
        const Bucketed q = bucket(z, k, m);
        symbol = q.symbol;
        bits.bits(q.raw, q.raw_bits);
      }
      sym[i] = static_cast<uint16_t>(symbol);
      ctx[i] = static_cast<uint8_t>(c);
      ++hist[c * alphabet + symbol];
    };
    uint64_t i = 0;
    if constexpr (kernels::kAvx512Built && sizeof(Elem) == 2) {
      // The whole vectors, their large moves listed; then those moves' buckets and raw
      // bits in element order, before the tail's.
      if (kernels::avx2_available() && contexts * alphabet < (1u << 16)) {
        std::vector<uint64_t>& large = scratch.large_moves;
        large.clear();
        const SymbolPass pass{sym, ctx, hist, k, shift, contexts - 1, alphabet, &large};
        i = map_symbols16_avx2(in, ref, n, pass);
        for (const uint64_t move : large) {
          const Bucketed q = bucket(large_move_z(move), k, m);
          sym[large_move_position(move)] = static_cast<uint16_t>(q.symbol);
          bits.bits(q.raw, q.raw_bits);
          ++hist[large_move_context(move) * alphabet + q.symbol];
        }
      }
    }
    for (; i < n; ++i) map_element(i);
  }
  for (uint32_t c = 0; c < contexts; ++c)
    for (uint32_t s = 0; s < alphabet; ++s) context_total[c] += counts[c * alphabet + s];

  // A context gets a table of its own when coding it with the pooled histogram of the chunk would
  // cost more than its table (about a byte per present symbol); the others share one table.
  std::vector<uint64_t> pooled(alphabet, 0);
  for (uint32_t c = 0; c < contexts; ++c)
    for (uint32_t s = 0; s < alphabet; ++s) pooled[s] += counts[c * alphabet + s];
  std::vector<int> table_of(contexts, -1);
  std::vector<uint32_t> own;
  for (uint32_t c = 0; c < contexts; ++c) {
    if (context_total[c] == 0) continue;
    uint32_t present = 0;
    const double alone =
        own_entropy_bits(&counts[c * alphabet], context_total[c], alphabet, present);
    const double shared = cross_entropy_bits(&counts[c * alphabet], pooled.data(), n, alphabet);
    if (shared - alone > 8.0 * (present + 4)) own.push_back(c);
  }
  if (own.size() > kMaxTables - 1) {  // keep the most frequent contexts
    std::sort(own.begin(), own.end(),
              [&](uint32_t a, uint32_t b) { return context_total[a] > context_total[b]; });
    own.resize(kMaxTables - 1);
    std::sort(own.begin(), own.end());
  }
  std::vector<uint64_t> rest(alphabet, 0);
  uint64_t rest_total = 0;
  for (uint32_t c = 0; c < contexts; ++c) {
    if (context_total[c] == 0 || std::binary_search(own.begin(), own.end(), c)) continue;
    for (uint32_t s = 0; s < alphabet; ++s) rest[s] += counts[c * alphabet + s];
    rest_total += context_total[c];
  }
  // Table 0 is the shared one when some context uses it, else the first own table.
  std::vector<std::vector<uint64_t>> histograms;
  if (rest_total > 0) histograms.push_back(std::move(rest));
  for (uint32_t c : own) {
    table_of[c] = static_cast<int>(histograms.size());
    histograms.emplace_back(counts.begin() + c * alphabet, counts.begin() + (c + 1) * alphabet);
  }
  uint32_t first = contexts, last = 0;
  for (uint32_t c = 0; c < contexts; ++c)
    if (table_of[c] > 0) {
      first = std::min(first, c);
      last = c;
    }

  w.u8(static_cast<uint8_t>(k));
  w.u8(static_cast<uint8_t>(m));
  const uint32_t precision = choose_precision(histograms);
  w.u8(static_cast<uint8_t>(precision));
  w.varint(histograms.size());
  if (first > last) {
    w.varint(0);
    w.varint(0);
  } else {
    w.varint(first);
    w.varint(last - first + 1);
    for (uint32_t c = first; c <= last; ++c) w.u8(static_cast<uint8_t>(std::max(table_of[c], 0)));
  }
  std::vector<entropy::EncoderTable> tables;
  for (const auto& h : histograms) {
    const entropy::CompactTable table = entropy::make_compact_table(h, precision);
    entropy::write_compact_table(table, w);
    tables.push_back(entropy::make_encoder_table(table.table));
  }
  w.varint(raw.size());
  w.bytes(raw);

  std::vector<const entropy::EncoderSymbol*> table_for(contexts);
  for (uint32_t c = 0; c < contexts; ++c)
    table_for[c] = tables[std::max(table_of[c], 0)].symbols.data();
  const uint16_t* sym = symbols.data();
  const uint8_t* ctx = context_of.data();
  auto symbol_of = [&](size_t i) -> const entropy::EncoderSymbol& {
    return table_for[ctx[i]][sym[i]];
  };
  if constexpr (kernels::kAvx512Built) {
    if (kernels::avx2_available()) {
      PackedEncoderTables& packed = scratch.packed;
      packed.precision_bits = precision;
      packed.entries.assign(tables.size() * alphabet, 0);
      for (size_t t = 0; t < tables.size(); ++t)
        for (uint32_t s = 0; s < alphabet; ++s)
          if (tables[t].present[s])
            packed.entries[t * alphabet + s] =
                entropy::pack_encoder_symbol(tables[t].symbols[s], precision);
      for (uint32_t c = 0; c < contexts; ++c)
        packed.first_entry[c] = static_cast<uint32_t>(std::max(table_of[c], 0)) * alphabet;
      uint32_t initial[kLanes];
      for (uint32_t& x : initial) x = entropy::kStateLow;
      entropy::encode_interleaved_bulk<kLanes>(
          n, symbol_of,
          [&](uint32_t(&x)[kLanes], uint16_t*& at, size_t i) {
            return encode_groups_avx2(packed, ctx, sym, x, at, i);
          },
          w.buffer(), initial, words);
      return;
    }
  }
  entropy::encode_interleaved<kLanes>(n, symbol_of, w.buffer(), words);
}

}  // namespace

void encode_delta(std::span<const uint8_t> input, std::span<const uint8_t> reference,
                  const ReferenceRange& where, TypeId type, int zstd_level,
                  std::vector<uint8_t>& out, Workspace& workspace) {
  if (reference.size() != input.size())
    throw Error(ErrorKind::kUsage, "delta codec: the reference differs in size from the chunk");
  const bool identical = std::equal(input.begin(), input.end(), reference.begin());
  const FloatLayout* layout = float_format::layout_of_type(type);
  const ggml::BlockLayout* blocks = ggml::find_block_layout(type);
  if (blocks && (input.empty() || input.size() % blocks->block_bytes != 0)) blocks = nullptr;
  if (!identical && !layout && !blocks)
    throw Error(ErrorKind::kUnsupported,
                "delta codec: only identical bytes, BF16/F16/F32 or whole ggml blocks");
  const Mode mode = identical ? Mode::kIdentical : layout ? Mode::kFloat : Mode::kBlocks;
  ByteWriter w(out);
  w.u8(kVersion);
  w.u8(static_cast<uint8_t>(mode));
  w.varint(where.file);
  w.varint(where.offset);
  if (identical) return;
  if (mode == Mode::kBlocks) {
    std::vector<uint8_t>& differences = workspace.scratch().delta_encode.block_differences;
    differences.resize(input.size());
    block_differences(*blocks, input, reference, differences);
    EncodeContext context;
    context.type = type;
    context.level = zstd_level;
    ggml_block_codec().encode(differences, context, out, workspace);
    return;
  }
  const uint64_t n = input.size() / layout->bytes;
  const uint64_t tail = input.size() - n * layout->bytes;
  w.u8(static_cast<uint8_t>(layout->kind));
  w.varint(n);
  w.varint(tail);
  w.bytes(input.subspan(n * layout->bytes));
  if (n == 0) return;
  if (layout->bytes == 2)
    encode_float_body<uint16_t>(input.data(), reference.data(), n, *layout, w,
                                workspace.scratch().delta_encode, workspace.scratch().coder.words);
  else
    encode_float_body<uint32_t>(input.data(), reference.data(), n, *layout, w,
                                workspace.scratch().delta_encode, workspace.scratch().coder.words);
}

}  // namespace lcl::delta_format
