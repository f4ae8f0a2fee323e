// Frequency normalisation, table serialisation and histogram entropy (see rans.hpp).
#include <algorithm>
#include <cmath>
#include <string>

#include "entropy/rans.hpp"
#include "lcl/error.hpp"

namespace lcl::entropy {

double log2_step(uint32_t f) {
  // Precisions up to 14 (the float codec's) need f <= 2^14; larger f are computed each time.
  constexpr uint32_t kTabulated = 1u << 14;
  static const std::vector<double> table = [] {
    std::vector<double> t(kTabulated + 1);
    for (uint32_t g = 1; g <= kTabulated; ++g)
      t[g] = std::log2(static_cast<double>(g + 1) / static_cast<double>(g));
    return t;
  }();
  if (f <= kTabulated) return table[f];
  return std::log2(static_cast<double>(f + 1) / static_cast<double>(f));
}

namespace {

// Cost change (in bits, times the count) of moving a symbol's frequency from f to f + 1: what the
// greedy allocation ranks by. Coding cost of a symbol is count * log2(total / f). The logarithms
// come from a table (they were a fifth of the float encoder's model search).
double gain_of_increment(uint64_t count, uint32_t f) {
  return static_cast<double>(count) * log2_step(f);
}
double loss_of_decrement(uint64_t count, uint32_t f) {
  return static_cast<double>(count) * log2_step(f - 1);  // log2(f / (f - 1))
}

}  // namespace

void normalize_present_frequencies(std::span<const uint64_t> counts, uint32_t precision_bits,
                                   std::vector<uint32_t>& freq) {
  if (precision_bits < 8 || precision_bits > 16)
    throw Error(ErrorKind::kUsage,
                "rANS precision must be in [8, 16], got " + std::to_string(precision_bits));
  const uint32_t total = 1u << precision_bits;
  const size_t present = counts.size();
  freq.assign(present, 0);
  if (present == 0) return;
  if (present > total)
    throw Error(ErrorKind::kUsage, std::to_string(present) +
                                       " present symbols do not fit precision " +
                                       std::to_string(precision_bits));
  uint64_t sum = 0;
  for (uint64_t c : counts) sum += c;

  // Start from the rounded-down proportional share (at least 1). Coding cost is convex in each
  // frequency, so unit moves by marginal cost (below) reach the optimum; no present symbol ever
  // goes below 1.
  uint64_t assigned = 0;
  const double scale = static_cast<double>(total) / static_cast<double>(sum);
  for (size_t s = 0; s < present; ++s) {
    auto f = static_cast<uint64_t>(static_cast<double>(counts[s]) * scale);
    f = std::clamp<uint64_t>(f, 1, total);
    freq[s] = static_cast<uint32_t>(f);
    assigned += f;
  }

  // Greedy unit moves by marginal cost: first to reach the exact sum, then swaps (one unit from the
  // symbol where it costs least to the symbol where it gains most) while a swap still gains.
  // Heaps hold (value, symbol, frequency at push time); entries whose frequency changed since are
  // stale and skipped. They are std::push_heap / std::pop_heap on vectors reused per thread (what
  // std::priority_queue does, without its allocations per call); ties between equal values are
  // broken by the heap's shape, so the order of the pushes is part of the result.
  struct Entry {
    double value;
    uint32_t symbol;
    uint32_t freq;
  };
  const auto gains_less = [](const Entry& a, const Entry& b) { return a.value < b.value; };
  const auto losses_less = [](const Entry& a, const Entry& b) { return a.value > b.value; };
  std::vector<Entry> gains;   // largest first
  std::vector<Entry> losses;  // smallest first
  gains.reserve(2 * present);
  losses.reserve(2 * present);
  auto push = [&](uint32_t s) {
    const uint32_t f = freq[s];
    gains.push_back({gain_of_increment(counts[s], f), s, f});
    std::push_heap(gains.begin(), gains.end(), gains_less);
    if (f > 1) {
      losses.push_back({loss_of_decrement(counts[s], f), s, f});
      std::push_heap(losses.begin(), losses.end(), losses_less);
    }
  };
  auto pop = [](std::vector<Entry>& heap, auto less) {
    std::pop_heap(heap.begin(), heap.end(), less);
    heap.pop_back();
  };
  auto drop_stale = [&](std::vector<Entry>& heap, auto less) {
    while (!heap.empty() && heap.front().freq != freq[heap.front().symbol]) pop(heap, less);
  };
  for (size_t s = 0; s < present; ++s) push(static_cast<uint32_t>(s));

  while (assigned != total) {
    if (assigned < total) {
      drop_stale(gains, gains_less);
      const uint32_t s = gains.front().symbol;
      pop(gains, gains_less);
      ++freq[s];
      ++assigned;
      push(s);
    } else {
      // Only possible because of the floor of 1: take units where they hurt least.
      drop_stale(losses, losses_less);
      const uint32_t s = losses.front().symbol;
      pop(losses, losses_less);
      --freq[s];
      --assigned;
      push(s);
    }
  }
  // Each swap strictly lowers the cost; the bound only guards against float ties cycling.
  for (size_t swaps = 0; swaps < 4 * present + 16; ++swaps) {
    drop_stale(gains, gains_less);
    drop_stale(losses, losses_less);
    if (gains.empty() || losses.empty()) break;
    const Entry g = gains.front();
    const Entry l = losses.front();
    if (g.symbol == l.symbol || g.value <= l.value * (1 + 1e-12)) break;
    pop(gains, gains_less);
    pop(losses, losses_less);
    ++freq[g.symbol];
    --freq[l.symbol];
    push(g.symbol);
    push(l.symbol);
  }
}

FrequencyTable normalize_frequencies(std::span<const uint64_t> counts, uint32_t precision_bits) {
  if (precision_bits < 8 || precision_bits > 16)
    throw Error(ErrorKind::kUsage,
                "rANS precision must be in [8, 16], got " + std::to_string(precision_bits));
  if (counts.size() > kMaxAlphabet)
    throw Error(ErrorKind::kUsage, "alphabet larger than 65536 symbols");
  // The work is on the present symbols alone (in symbol order, so the result is the same).
  std::vector<uint64_t> present_counts;  // per present symbol: a few KiB at most
  std::vector<uint32_t> present_freq;
  for (uint64_t c : counts)
    if (c != 0) present_counts.push_back(c);
  normalize_present_frequencies(present_counts, precision_bits, present_freq);
  FrequencyTable table;
  table.precision_bits = precision_bits;
  table.freq.assign(counts.size(), 0);
  for (size_t s = 0, i = 0; s < counts.size(); ++s)
    if (counts[s] != 0) table.freq[s] = present_freq[i++];
  return table;
}

// Layout: u8 precision_bits, varint alphabet size, varint number of present symbols, then per
// present symbol in increasing order: varint gap to the previous present symbol (first: its
// value), varint (freq - 1). Tables of a few hundred symbols cost a few hundred bytes.
void write_frequency_table(const FrequencyTable& table, ByteWriter& out) {
  out.u8(static_cast<uint8_t>(table.precision_bits));
  out.varint(table.freq.size());
  uint64_t present = 0;
  for (uint32_t f : table.freq) present += f != 0;
  out.varint(present);
  uint64_t next = 0;  // smallest symbol the next present one can be
  for (size_t s = 0; s < table.freq.size(); ++s) {
    if (table.freq[s] == 0) continue;
    out.varint(s - next);
    out.varint(table.freq[s] - 1);
    next = s + 1;
  }
}

FrequencyTable read_frequency_table(ByteReader& in, uint32_t max_alphabet) {
  FrequencyTable table;
  table.precision_bits = in.u8();
  if (table.precision_bits < 8 || table.precision_bits > 16)
    in.fail("rANS precision " + std::to_string(table.precision_bits) + " outside [8, 16]");
  const uint32_t total = 1u << table.precision_bits;
  const uint64_t alphabet =
      in.varint_at_most(std::min(max_alphabet, kMaxAlphabet), "alphabet size");
  // Each present symbol takes at least two bytes, so this bound also caps work by input size.
  const uint64_t present = in.varint_at_most(alphabet, "present symbol count");
  if (present > in.remaining() / 2) in.fail("present symbol count exceeds the payload");
  table.freq.assign(alphabet, 0);
  uint64_t next = 0;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < present; ++i) {
    uint64_t s = next + in.varint_at_most(alphabet, "symbol gap");
    if (s >= alphabet) in.fail("symbol beyond the alphabet");
    uint64_t f = in.varint_at_most(total - 1, "frequency") + 1;
    sum += f;
    if (sum > total) in.fail("frequencies exceed the precision total");
    table.freq[s] = static_cast<uint32_t>(f);
    next = s + 1;
  }
  if (present != 0 && sum != total) in.fail("frequencies do not sum to the precision total");
  return table;
}

double entropy_bits(std::span<const uint64_t> counts) {
  uint64_t sum = 0;
  for (uint64_t c : counts) sum += c;
  if (sum == 0) return 0.0;
  double bits = 0.0;
  const double total = static_cast<double>(sum);
  for (uint64_t c : counts)
    if (c != 0) bits += static_cast<double>(c) * std::log2(total / static_cast<double>(c));
  return bits;
}

}  // namespace lcl::entropy
