#include "codecs/fields/quant_fields.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>

#include "codecs/fields/context_check_simd.hpp"
#include "codecs/fields/quant_rans.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "entropy/bit_io.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/rans.hpp"
#include "entropy/rans_interleaved.hpp"
#include "util/endian.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::quant {
namespace {

using entropy::BitCounter;
using entropy::BitReader;
using entropy::BitWriter;

// The innermost FieldModeTrace on this thread (a test hook; not owning, null unless one lives).
thread_local FieldModeTrace* active_trace = nullptr;
thread_local size_t wide64_min_symbols = kFieldLanesMinWide64;  // WideFieldThreshold

// A field is stored bit-packed unless coding it saves more than this fraction of the packed size:
// unpacking takes a fraction of a nanosecond per symbol, a scalar rANS decode about 2 ns, and a
// nearly uniform field (e.g. the 5-bit anchor positions of Q4_K sub-blocks) would cost decode
// time for nothing.
constexpr double kPackedMargin = 0.005;

bool packs(double packed_bits, double coded_bits) {
  return packed_bits <= coded_bits * (1 + kPackedMargin);
}
// What a field costs once write_chosen has picked between packing and coding.
double chosen_bits(double packed_bits, double coded_bits) {
  return packs(packed_bits, coded_bits) ? packed_bits : coded_bits;
}

// Table precisions tried per field: short fields pay less for coarse tables, long ones gain
// from fine ones.
constexpr uint32_t kPrecisions[] = {8, 9, 10, 11, 12};

// The rANS states of a coded field of n symbols in mode kRans, kRansWide or kRansWide64.
int lanes_of(FieldMode mode, size_t n) {
  if (mode == FieldMode::kRansWide64) return kFieldLanesWide64;
  return mode == FieldMode::kRansWide ? kFieldLanesWide : field_lanes(n);
}

unsigned symbol_width(uint32_t alphabet) {
  return static_cast<unsigned>(std::bit_width(alphabet - 1));
}

// Exp-Golomb code of order k: gamma((v >> k) + 1), then the k low bits of v.
template <class Bits>
void write_exp_golomb(Bits& bits, uint32_t value, unsigned k) {
  bits.gamma((value >> k) + 1);
  bits.bits(value & ((1u << k) - 1), k);
}

uint64_t read_exp_golomb(BitReader& bits, unsigned k) {
  const uint64_t high = bits.gamma() - 1;
  return (high << k) | bits.bits(k);
}

unsigned exp_golomb_bits(uint32_t value, unsigned k) {
  return 2 * static_cast<unsigned>(std::bit_width((value >> k) + 1) - 1) + 1 + k;
}

constexpr unsigned kMaxGolombOrder = 15;

// Table of one context, a bit string rather than compact_table.hpp's byte per symbol: a field has
// up to 256 contexts of small alphabets, where bytes would cost more than the tables' content.
// gamma(present count); which symbols are present (nothing when all are,
// else a flag and either a bitmap or gamma-coded gaps, whichever is shorter); then, when more than
// one is present, an Exp-Golomb order (4 bits) and freq - 1 of every present symbol but the last,
// whose frequency is implied by the total.
// Bits is a BitWriter, or a BitCounter when only the size matters (model selection).
template <class Bits>
void write_table(const entropy::FrequencyTable& table, Bits& bits) {
  const auto alphabet = static_cast<uint32_t>(table.freq.size());
  uint32_t symbols[256];
  uint32_t present = 0;
  for (uint32_t s = 0; s < alphabet; ++s)
    if (table.freq[s]) symbols[present++] = s;
  bits.gamma(present);
  if (present < alphabet) {
    uint64_t gap_bits = 0;
    uint32_t previous = 0;
    for (uint32_t i = 0; i < present; ++i) {
      gap_bits += exp_golomb_bits(symbols[i] - previous, 0);
      previous = symbols[i];
    }
    const bool bitmap = alphabet <= gap_bits;
    bits.bit(bitmap);
    if (bitmap) {
      for (uint32_t s = 0; s < alphabet; ++s) bits.bit(table.freq[s] != 0);
    } else {
      previous = 0;
      for (uint32_t i = 0; i < present; ++i) {
        write_exp_golomb(bits, symbols[i] - previous, 0);
        previous = symbols[i];
      }
    }
  }
  if (present <= 1) return;
  unsigned best_k = 0;
  uint64_t best_bits = UINT64_MAX;
  for (unsigned k = 0; k <= kMaxGolombOrder; ++k) {
    uint64_t total = 0;
    for (uint32_t i = 0; i + 1 < present; ++i)
      total += exp_golomb_bits(table.freq[symbols[i]] - 1, k);
    // The total falls and then rises with k (the codes of typical values shorten until k
    // passes their size), so the first rise ends the search.
    if (total >= best_bits) break;
    best_bits = total;
    best_k = k;
  }
  bits.bits(best_k, 4);
  for (uint32_t i = 0; i + 1 < present; ++i)
    write_exp_golomb(bits, table.freq[symbols[i]] - 1, best_k);
}

entropy::FrequencyTable read_table(BitReader& bits, uint32_t alphabet, uint32_t precision) {
  entropy::FrequencyTable table;
  table.precision_bits = precision;
  table.freq.assign(alphabet, 0);
  const uint32_t present = bits.gamma();
  if (present > alphabet) throw_corrupt("model table: more symbols than the alphabet");
  std::vector<uint32_t> symbols;
  symbols.reserve(present);
  if (present == alphabet) {
    for (uint32_t s = 0; s < alphabet; ++s) symbols.push_back(s);
  } else if (bits.bit()) {
    for (uint32_t s = 0; s < alphabet; ++s)
      if (bits.bit()) symbols.push_back(s);
    if (symbols.size() != present)
      throw_corrupt("model table: bitmap disagrees with the symbol count");
  } else {
    uint64_t symbol = 0;
    for (uint32_t i = 0; i < present; ++i) {
      symbol += read_exp_golomb(bits, 0);
      if (symbol >= alphabet || (i > 0 && symbol == symbols.back()))
        throw_corrupt("model table: symbol outside the alphabet or listed twice");
      symbols.push_back(static_cast<uint32_t>(symbol));
    }
  }
  const uint64_t total = uint64_t{1} << precision;
  if (present == 1) {
    table.freq[symbols[0]] = static_cast<uint32_t>(total);
    return table;
  }
  const unsigned k = bits.bits(4);
  uint64_t sum = 0;
  for (uint32_t i = 0; i + 1 < present; ++i) {
    const uint64_t freq = read_exp_golomb(bits, k) + 1;
    sum += freq;
    if (freq >= total || sum >= total) throw_corrupt("model table: frequencies exceed the total");
    table.freq[symbols[i]] = static_cast<uint32_t>(freq);
  }
  table.freq[symbols.back()] = static_cast<uint32_t>(total - sum);
  return table;
}

struct TableChoice {
  uint32_t precision = 12;
  std::vector<entropy::FrequencyTable> tables;  // per context; empty freq = unused context
  double bits = std::numeric_limits<double>::infinity();
};

// log2 of every possible frequency (at most 1 << 12), so cost estimates need no libm call.
const std::array<double, (1u << 12) + 1>& log2_table() {
  static const auto table = [] {
    std::array<double, (1u << 12) + 1> t{};
    for (uint32_t f = 1; f < t.size(); ++f) t[f] = std::log2(static_cast<double>(f));
    return t;
  }();
  return table;
}

TableChoice tables_at(const FieldHistogram& histogram, uint32_t precision) {
  const FieldShape& shape = histogram.shape();
  const auto& log2f = log2_table();
  TableChoice candidate;
  candidate.precision = precision;
  candidate.tables.resize(shape.contexts);
  BitCounter table_bits;
  double coded = 0;
  for (uint32_t c = 0; c < shape.contexts; ++c) {
    auto counts = histogram.context_counts(c);
    bool used = false;
    for (uint64_t n : counts) used |= n != 0;
    table_bits.bit(used);
    if (!used) continue;
    candidate.tables[c] = entropy::normalize_frequencies(counts, precision);
    write_table(candidate.tables[c], table_bits);
    const uint32_t* freq = candidate.tables[c].freq.data();
    for (uint32_t s = 0; s < shape.alphabet; ++s)
      if (counts[s]) coded += static_cast<double>(counts[s]) * (precision - log2f[freq[s]]);
  }
  candidate.bits = coded + static_cast<double>(table_bits.count());
  return candidate;
}

// The cheapest table precision. Finer tables code closer to the counts but cost more to store;
// the total is in practice unimodal in the precision, so the search starts in the middle of
// kPrecisions, walks in the direction that gains and stops at the first rise (two or three
// evaluations instead of five).
TableChoice best_tables(const FieldHistogram& histogram) {
  constexpr size_t count = std::size(kPrecisions);
  size_t at = count / 2;
  TableChoice best = tables_at(histogram, kPrecisions[at]);
  for (int direction : {-1, +1}) {
    bool moved = false;
    for (size_t next = at + direction; next < count; next += direction) {
      TableChoice candidate = tables_at(histogram, kPrecisions[next]);
      if (candidate.bits >= best.bits) break;
      best = std::move(candidate);
      at = next;
      moved = true;
    }
    if (moved) break;
  }
  return best;
}

// A lower bound of min(packed bits, best_tables(histogram).bits): per used context the empirical
// entropy of its counts (no table codes below it, by Gibbs' inequality) plus the fewest bits
// write_table can spend on it (used flag, gamma(present) >= 1, the presence flag and >= 1 bit per
// present symbol when some are absent, the 4-bit order and >= 1 bit per coded frequency), plus
// the used flag of every unused context.
double lower_bound_bits(const FieldHistogram& histogram) {
  const FieldShape& shape = histogram.shape();
  double bits = 0;
  for (uint32_t c = 0; c < shape.contexts; ++c) {
    auto counts = histogram.context_counts(c);
    uint32_t present = 0;
    for (uint64_t n : counts) present += n != 0;
    bits += 1;  // the used flag
    if (present == 0) continue;
    bits += 1 + (present < shape.alphabet ? 1 + present : 0) + (present > 1 ? 3 + present : 0);
    bits += entropy::entropy_bits(counts);
  }
  const double packed = static_cast<double>(histogram.total()) * symbol_width(shape.alphabet);
  return std::min(packed, bits);
}

void check_shape(FieldShape shape) {
  if (shape.alphabet < 2 || shape.alphabet > 256 || shape.contexts < 1 || shape.contexts > 256)
    throw Error(ErrorKind::kUsage, "field shape outside 2..256 symbols, 1..256 contexts");
}

// Whether some symbol's context has no table (absent[c] is 1 for those); one load per symbol, or
// the AVX2 kernel's 32 at a time.
bool any_absent(std::span<const uint8_t> contexts, const uint8_t (&absent)[256]) {
  if constexpr (kernels::kAvx512Built)
    if (kernels::avx2_available())
      return context_check::any_absent_avx2(contexts.data(), contexts.size(), absent);
  // Eight independent accumulators: one chain of or-with-load per symbol was the bottleneck.
  uint8_t any[8] = {};
  const size_t n = contexts.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t k = 0; k < 8; ++k) any[k] |= absent[contexts[i + k]];
  for (; i < n; ++i) any[0] |= absent[contexts[i]];
  uint8_t all = 0;
  for (uint8_t a : any) all |= a;
  return all != 0;
}

}  // namespace

WideFieldThreshold::WideFieldThreshold(size_t min_symbols) : previous_(wide64_min_symbols) {
  wide64_min_symbols = min_symbols;
}
WideFieldThreshold::~WideFieldThreshold() {
  wide64_min_symbols = previous_;
}

FieldModeTrace::FieldModeTrace() : previous_(active_trace) {
  active_trace = this;
}

FieldModeTrace::~FieldModeTrace() {
  active_trace = previous_;
}

void FieldHistogram::add_all(std::span<const uint16_t> symbols, std::span<const uint8_t> contexts) {
  const size_t n = symbols.size();
  // Long fields over small tables count into four 32-bit histograms in turn: one histogram's
  // increments of a repeated bin wait on each other through memory, which bounded the loop.
  constexpr size_t kWays = 4;
  if (n >= 4096 && n <= UINT32_MAX && counts_.size() <= 4096) {
    const size_t bins = counts_.size();
    std::vector<uint32_t> ways(kWays * bins, 0);
    const uint32_t alphabet = contexts.empty() ? 0 : shape_.alphabet;
    const uint8_t zero = 0;
    const uint8_t* c = contexts.empty() ? &zero : contexts.data();
    const size_t step = contexts.empty() ? 0 : 1;
    size_t i = 0;
    for (; i + kWays <= n; i += kWays)
      for (size_t k = 0; k < kWays; ++k)
        ++ways[k * bins + c[(i + k) * step] * alphabet + symbols[i + k]];
    for (; i < n; ++i) ++ways[c[i * step] * alphabet + symbols[i]];
    for (size_t b = 0; b < bins; ++b)
      for (size_t k = 0; k < kWays; ++k) counts_[b] += ways[k * bins + b];
    return;
  }
  if (!contexts.empty() && n >= 4096 && n <= UINT32_MAX) {
    // Larger tables with contexts count symbol-major: a field whose context is the position in
    // its block (32 contexts of 256 symbols, mostly one symbol) then bumps neighbouring counters
    // instead of 32 that lie 2 KiB apart in one cache set.
    const uint32_t alphabet = shape_.alphabet, context_count = shape_.contexts;
    std::vector<uint32_t> by_symbol(counts_.size(), 0);
    for (size_t i = 0; i < n; ++i) ++by_symbol[size_t{symbols[i]} * context_count + contexts[i]];
    for (uint32_t c = 0; c < context_count; ++c)
      for (uint32_t s = 0; s < alphabet; ++s)
        counts_[size_t{c} * alphabet + s] += by_symbol[size_t{s} * context_count + c];
    return;
  }
  if (contexts.empty()) {
    for (uint16_t s : symbols) ++counts_[s];
  } else {
    for (size_t i = 0; i < n; ++i) ++counts_[contexts[i] * shape_.alphabet + symbols[i]];
  }
}

uint64_t FieldHistogram::total() const {
  uint64_t n = 0;
  for (uint64_t c : counts_) n += c;
  return n;
}

double field_cost_bits(const FieldHistogram& histogram) {
  const double packed =
      static_cast<double>(histogram.total()) * symbol_width(histogram.shape().alphabet);
  return chosen_bits(packed, best_tables(histogram).bits);
}

namespace {

// Every symbol below the alphabet and every context below the context count: the histogram
// and the coder index tables with them. Written as max reductions so the checks vectorise.
void check_symbols(std::span<const uint16_t> symbols, std::span<const uint8_t> contexts,
                   FieldShape shape) {
  // The OR of the symbols bounds each of them and vectorises on every x86-64 (an unsigned 16-bit
  // max needs SSE4.1); the exact maximum only when that bound is not below the alphabet.
  uint16_t any_bits = 0;
  for (uint16_t s : symbols) any_bits |= s;
  uint16_t max_symbol = any_bits;
  if (any_bits >= shape.alphabet) {
    max_symbol = 0;
    for (uint16_t s : symbols) max_symbol = std::max(max_symbol, s);
  }
  uint8_t max_context = 0;
  for (uint8_t c : contexts) max_context = std::max(max_context, c);
  if (!symbols.empty() && max_symbol >= shape.alphabet)
    throw Error(ErrorKind::kUsage, "field symbol outside the alphabet");
  if (!contexts.empty() && (max_context >= shape.contexts || contexts.size() != symbols.size()))
    throw Error(ErrorKind::kUsage, "field context outside the shape or not one per symbol");
}

// The precision (u8), then the tables of all contexts behind a used flag each, as one bit string
// preceded by its byte count.
void write_tables(ByteWriter& out, uint32_t precision,
                  std::span<const entropy::FrequencyTable> tables) {
  out.u8(static_cast<uint8_t>(precision));
  std::vector<uint8_t> table_bytes;
  {
    BitWriter table_bits(table_bytes);
    for (const auto& table : tables) {
      const bool used = !table.freq.empty();
      table_bits.bit(used);
      if (used) write_table(table, table_bits);
    }
  }
  out.varint(table_bytes.size());
  out.bytes(table_bytes);
}

// A field nearly all one symbol (such as the Q4_K sub-block minima, nearly all 0) costs rANS a
// decode step per symbol to learn almost nothing; stored as that
// symbol and a list of exceptions it decodes as a fill. Tried only when coding spends under
// kSparseTryBits per symbol and at most one symbol in kSparseMaxShare is an exception.
constexpr double kSparseTryBits = 0.25;
constexpr size_t kSparseMaxShare = 64;

// The sparse form: varint base symbol, varint exception count, then per exception the varint gap
// from the previous exception (index - previous index - 1; the first: its index) and the varint
// symbol. Returns false (writing nothing) when the field is not sparse enough.
bool write_sparse(std::vector<uint8_t>& out, std::span<const uint16_t> symbols, uint32_t alphabet) {
  std::vector<size_t> counts(alphabet, 0);
  for (uint16_t s : symbols) ++counts[s];
  const auto base =
      static_cast<uint16_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
  const size_t exceptions = symbols.size() - counts[base];
  if (exceptions * kSparseMaxShare > symbols.size()) return false;
  ByteWriter w(out);
  w.varint(base);
  w.varint(exceptions);
  size_t next = 0;  // the index right after the previous exception
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i] == base) continue;
    w.varint(i - next);
    w.varint(symbols[i]);
    next = i + 1;
  }
  return true;
}

void read_sparse(ByteReader& in, uint32_t alphabet, std::span<uint16_t> symbols) {
  const uint64_t base = in.varint();
  if (base >= alphabet) in.fail("sparse field: base symbol outside the alphabet");
  // Each exception takes at least two bytes, so the count is bounded by what remains.
  const uint64_t exceptions =
      in.varint_at_most(std::min<uint64_t>(symbols.size(), in.remaining() / 2), "exceptions");
  std::fill(symbols.begin(), symbols.end(), static_cast<uint16_t>(base));
  uint64_t next = 0;
  for (uint64_t e = 0; e < exceptions; ++e) {
    if (next >= symbols.size()) in.fail("sparse field: exception past the end");
    const uint64_t index = next + in.varint_at_most(symbols.size() - 1 - next, "exception gap");
    const uint64_t symbol = in.varint();
    if (symbol >= alphabet) in.fail("sparse field: symbol outside the alphabet");
    symbols[index] = static_cast<uint16_t>(symbol);
    next = index + 1;
  }
}

// write_field once the tables are chosen (write_best_field chose them while comparing).
void write_chosen(ByteWriter& out, std::span<const uint16_t> symbols,
                  std::span<const uint8_t> contexts, FieldShape shape, TableChoice& choice) {
  const unsigned width = symbol_width(shape.alphabet);
  const double packed_bits = static_cast<double>(symbols.size()) * width;
  if (choice.bits < kSparseTryBits * static_cast<double>(symbols.size())) {
    std::vector<uint8_t>& sparse = field_scratch().sparse;
    sparse.clear();
    // Taken unless coding saves more than kPackedMargin, as packing is: both decode at a
    // fraction of rANS's cost per symbol.
    if (write_sparse(sparse, symbols, shape.alphabet) &&
        packs(8.0 * static_cast<double>(sparse.size()), std::min(choice.bits, packed_bits))) {
      out.u8(static_cast<uint8_t>(FieldMode::kSparse));
      out.bytes(sparse);
      return;
    }
  }
  if (packs(packed_bits, choice.bits)) {
    out.u8(static_cast<uint8_t>(FieldMode::kPacked));
    BitWriter bits(out.buffer());  // appends after the mode byte; flushed when it goes
    for (uint16_t s : symbols) bits.bits(s, width);
    return;
  }
  const FieldMode mode = symbols.size() >= wide64_min_symbols   ? FieldMode::kRansWide64
                         : symbols.size() >= kFieldLanesMinWide ? FieldMode::kRansWide
                                                                : FieldMode::kRans;
  out.u8(static_cast<uint8_t>(mode));
  write_tables(out, choice.precision, choice.tables);
  // Unused contexts get a valid one-symbol table so the coder never sees an empty one.
  for (auto& table : choice.tables)
    if (table.freq.empty()) {
      table.precision_bits = choice.precision;
      table.freq.assign(1, 1u << choice.precision);
    }
  // In workspace memory: the coded field is copied into `out` right away.
  const std::span<const uint8_t> coded = flat_encode_stream(
      symbols, contexts, choice.tables, shape.alphabet, lanes_of(mode, symbols.size()));
  out.varint(coded.size());
  out.bytes(coded);
}

}  // namespace

namespace {

// When every table holds a single symbol (a field the contexts determine, such as the Q4_K
// sub-block minima, all 0), each coding step leaves its state as it is: the stream is the
// initial states alone and the symbols follow from their contexts without running the coder.
// Returns false when some table has several symbols (then flat_decode runs).
bool decode_determined(std::span<const uint8_t> coded,
                       std::span<const entropy::FrequencyTable> tables,
                       std::span<const uint8_t> contexts, int lanes, std::span<uint16_t> symbols) {
  uint16_t sole[256] = {};
  for (size_t c = 0; c < tables.size(); ++c) {
    const auto& freq = tables[c].freq;
    if (freq.empty()) continue;
    size_t present = 0;
    for (size_t s = 0; s < freq.size(); ++s)
      if (freq[s] != 0) {
        ++present;
        sole[c] = static_cast<uint16_t>(s);
      }
    if (present != 1) return false;
  }
  if (coded.size() != 4 * static_cast<size_t>(lanes))
    throw_corrupt("rANS stream: a determined field has coded words");
  for (int l = 0; l < lanes; ++l)
    if (load_u32le(coded.data() + 4 * l) != entropy::kStateLow)
      throw_corrupt("rANS stream: final state mismatch");
  if (contexts.empty()) {
    std::fill(symbols.begin(), symbols.end(), sole[0]);
  } else {
    for (size_t i = 0; i < symbols.size(); ++i) symbols[i] = sole[contexts[i]];
  }
  return true;
}

}  // namespace

void write_field(ByteWriter& out, std::span<const uint16_t> symbols,
                 std::span<const uint8_t> contexts, FieldShape shape) {
  check_shape(shape);
  check_symbols(symbols, contexts, shape);
  if (symbols.empty()) {
    out.u8(static_cast<uint8_t>(FieldMode::kEmpty));
    return;
  }
  FieldHistogram histogram(shape);
  histogram.add_all(symbols, contexts);
  TableChoice choice = best_tables(histogram);
  write_chosen(out, symbols, contexts, shape, choice);
}

void read_field(ByteReader& in, std::span<const uint8_t> contexts, FieldShape shape,
                std::span<uint16_t> symbols) {
  check_shape(shape);
  if (!contexts.empty() && contexts.size() != symbols.size())
    throw Error(ErrorKind::kUsage, "read_field: one context per symbol");
  const uint8_t mode_byte = in.u8();
  if (active_trace && mode_byte < 32) active_trace->seen |= 1u << mode_byte;
  const auto mode = static_cast<FieldMode>(mode_byte);
  if (mode == FieldMode::kEmpty) {
    if (!symbols.empty()) in.fail("field is empty but symbols are expected");
    return;
  }
  if (symbols.empty()) in.fail("field holds symbols but none are expected");
  if (mode == FieldMode::kPacked) {
    const unsigned width = symbol_width(shape.alphabet);
    const auto packed = in.bytes(entropy::packed_bytes(symbols.size(), width));
    entropy::unpack_fields(packed, width, symbols);
    if (shape.alphabet != 1u << width) {
      uint16_t largest = 0;
      for (uint16_t s : symbols) largest = std::max(largest, s);
      if (largest >= shape.alphabet) in.fail("packed symbol outside the alphabet");
    }
    return;
  }
  if (mode == FieldMode::kSparse) {
    read_sparse(in, shape.alphabet, symbols);
    return;
  }
  if (mode != FieldMode::kRans && mode != FieldMode::kRansWide && mode != FieldMode::kRansWide64)
    in.fail("unknown field mode");
  const int lanes = lanes_of(mode, symbols.size());
  const FieldTables field_tables = read_field_tables(in, shape);
  const uint32_t precision = field_tables.precision;
  const std::vector<entropy::FrequencyTable>& tables = field_tables.tables;
  std::vector<uint8_t> used(shape.contexts, 0);
  for (uint32_t c = 0; c < shape.contexts; ++c) used[c] = !tables[c].freq.empty();
  const uint64_t coded_size = in.varint_at_most(in.remaining(), "coded size");
  auto coded = in.bytes(coded_size);
  if (contexts.empty()) {
    if (!used[0]) in.fail("symbols refer to an absent table");
  } else {
    // absent[c]: context c has no table (or is outside the shape); one load per symbol.
    uint8_t absent[256];
    for (uint32_t c = 0; c < 256; ++c) absent[c] = c >= shape.contexts || !used[c];
    if (any_absent(contexts, absent)) in.fail("symbols refer to an absent table");
  }
  if (decode_determined(coded, tables, contexts, lanes, symbols)) return;
  flat_decode(coded, FlatDecodeTable(tables, precision, field_scratch().decode_slots), contexts,
              lanes, symbols);
}

FieldTables write_field_tables(ByteWriter& out, const FieldHistogram& histogram) {
  TableChoice choice = best_tables(histogram);
  write_tables(out, choice.precision, choice.tables);
  return {choice.precision, std::move(choice.tables)};
}

FieldTables read_field_tables(ByteReader& in, FieldShape shape) {
  check_shape(shape);
  FieldTables result;
  result.precision = in.u8();
  // The encoder picks from kPrecisions; the flat decoder needs at most 12 bits.
  if (result.precision < kPrecisions[0] || result.precision > kMaxFlatPrecision)
    in.fail("table precision outside 8..12");
  const uint64_t table_size = in.varint_at_most(in.remaining(), "table size");
  BitReader table_bits(in.bytes(table_size));
  result.tables.resize(shape.contexts);
  for (uint32_t c = 0; c < shape.contexts; ++c)
    if (table_bits.bit())
      result.tables[c] = read_table(table_bits, shape.alphabet, result.precision);
  return result;
}

}  // namespace lcl::quant

namespace lcl::quant {

uint8_t write_best_field(ByteWriter& out, std::span<const uint16_t> symbols,
                         std::span<const ContextCandidate> candidates) {
  if (candidates.empty() || candidates.size() > 255)
    throw Error(ErrorKind::kUsage, "1..255 context candidates");
  if (candidates.size() == 1) {
    out.u8(0);
    write_field(out, symbols, candidates[0].contexts, candidates[0].shape);
    return 0;
  }
  // Each candidate's counts. A candidate without contexts gets the sum over the contexts of one
  // with them and the same alphabet (e.g. Q3_K's pairs, iid or given the scale): one pass over
  // the symbols fewer.
  std::vector<std::optional<FieldHistogram>> histograms(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i].contexts.empty()) continue;
    check_shape(candidates[i].shape);
    check_symbols(symbols, candidates[i].contexts, candidates[i].shape);
    histograms[i].emplace(candidates[i].shape);
    histograms[i]->add_all(symbols, candidates[i].contexts);
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i].contexts.empty()) continue;
    const FieldShape& shape = candidates[i].shape;
    check_shape(shape);
    histograms[i].emplace(shape);
    const auto with_contexts = std::find_if(histograms.begin(), histograms.end(), [&](auto& h) {
      return h && h->shape().alphabet == shape.alphabet && h->shape().contexts > 1;
    });
    if (with_contexts == histograms.end()) {
      check_symbols(symbols, {}, shape);
      histograms[i]->add_all(symbols, {});
      continue;
    }
    const FieldHistogram& source = **with_contexts;
    for (uint32_t c = 0; c < source.shape().contexts; ++c) {
      const auto counts = source.context_counts(c);
      for (uint32_t s = 0; s < shape.alphabet; ++s)
        if (counts[s] != 0) histograms[i]->add_count(0, s, counts[s]);
    }
  }
  size_t best = 0;
  double best_bits = std::numeric_limits<double>::infinity();
  TableChoice best_choice;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const FieldHistogram& histogram = *histograms[i];
    // A candidate that cannot be strictly cheaper is not costed (the table search is most of an
    // encoder's model time); the choice is the same as costing every candidate.
    if (i > 0 && lower_bound_bits(histogram) >= best_bits) continue;
    TableChoice choice = best_tables(histogram);
    const double packed =
        static_cast<double>(histogram.total()) * symbol_width(histogram.shape().alphabet);
    const double bits = chosen_bits(packed, choice.bits);
    if (bits < best_bits) {
      best_bits = bits;
      best = i;
      best_choice = std::move(choice);
    }
  }
  out.u8(static_cast<uint8_t>(best));
  if (symbols.empty()) {
    out.u8(static_cast<uint8_t>(FieldMode::kEmpty));
  } else {
    write_chosen(out, symbols, candidates[best].contexts, candidates[best].shape, best_choice);
  }
  return static_cast<uint8_t>(best);
}

uint8_t read_candidate_index(ByteReader& in, size_t count) {
  const uint8_t index = in.u8();
  if (index >= count) in.fail("unknown context model " + std::to_string(index));
  return index;
}

}  // namespace lcl::quant
