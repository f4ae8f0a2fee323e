// Frequency normalisation, table serialisation and histogram entropy (see rans.hpp).
#include <algorithm>
#include <cmath>
#include <queue>
#include <string>

#include "entropy/rans.hpp"
#include "lcl/error.hpp"

namespace lcl::entropy {

namespace {

// Cost change (in bits, times the count) of moving a symbol's frequency from f to f + 1: what the
// greedy allocation ranks by. Coding cost of a symbol is count * log2(total / f).
double gain_of_increment(uint64_t count, uint32_t f) {
  return static_cast<double>(count) *
         std::log2(static_cast<double>(f + 1) / static_cast<double>(f));
}
double loss_of_decrement(uint64_t count, uint32_t f) {
  return static_cast<double>(count) *
         std::log2(static_cast<double>(f) / static_cast<double>(f - 1));
}

}  // namespace

FrequencyTable normalize_frequencies(std::span<const uint64_t> counts, uint32_t precision_bits) {
  if (precision_bits < 8 || precision_bits > 16)
    throw Error(ErrorKind::kUsage,
                "rANS precision must be in [8, 16], got " + std::to_string(precision_bits));
  if (counts.size() > kMaxAlphabet)
    throw Error(ErrorKind::kUsage, "alphabet larger than 65536 symbols");
  FrequencyTable table;
  table.precision_bits = precision_bits;
  table.freq.assign(counts.size(), 0);
  const uint32_t total = 1u << precision_bits;

  uint64_t sum = 0;
  size_t present = 0;
  for (uint64_t c : counts) {
    sum += c;
    present += c != 0;
  }
  if (present == 0) return table;
  if (present > total)
    throw Error(ErrorKind::kUsage, std::to_string(present) +
                                       " present symbols do not fit precision " +
                                       std::to_string(precision_bits));

  // Start from the rounded-down proportional share (at least 1). Coding cost is convex in each
  // frequency, so unit moves by marginal cost (below) reach the optimum; no present symbol ever
  // goes below 1.
  uint64_t assigned = 0;
  const double scale = static_cast<double>(total) / static_cast<double>(sum);
  for (size_t s = 0; s < counts.size(); ++s) {
    if (counts[s] == 0) continue;
    auto f = static_cast<uint64_t>(static_cast<double>(counts[s]) * scale);
    f = std::clamp<uint64_t>(f, 1, total);
    table.freq[s] = static_cast<uint32_t>(f);
    assigned += f;
  }

  // Greedy unit moves by marginal cost: first to reach the exact sum, then swaps (one unit from the
  // symbol where it costs least to the symbol where it gains most) while a swap still gains.
  // Heaps hold (value, symbol, frequency at push time); entries whose frequency changed since are
  // stale and skipped.
  struct Entry {
    double value;
    uint32_t symbol;
    uint32_t freq;
    bool operator<(const Entry& o) const { return value < o.value; }
    bool operator>(const Entry& o) const { return value > o.value; }
  };
  std::priority_queue<Entry> gains;                                            // largest first
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> losses;  // smallest first
  auto push = [&](uint32_t s) {
    const uint32_t f = table.freq[s];
    gains.push({gain_of_increment(counts[s], f), s, f});
    if (f > 1) losses.push({loss_of_decrement(counts[s], f), s, f});
  };
  auto drop_stale = [&](auto& heap) {
    while (!heap.empty() && heap.top().freq != table.freq[heap.top().symbol]) heap.pop();
  };
  for (size_t s = 0; s < counts.size(); ++s)
    if (counts[s] != 0) push(static_cast<uint32_t>(s));

  while (assigned != total) {
    if (assigned < total) {
      drop_stale(gains);
      const uint32_t s = gains.top().symbol;
      gains.pop();
      ++table.freq[s];
      ++assigned;
      push(s);
    } else {
      // Only possible because of the floor of 1: take units where they hurt least.
      drop_stale(losses);
      const uint32_t s = losses.top().symbol;
      losses.pop();
      --table.freq[s];
      --assigned;
      push(s);
    }
  }
  // Each swap strictly lowers the cost; the bound only guards against float ties cycling.
  for (size_t swaps = 0; swaps < 4 * present + 16; ++swaps) {
    drop_stale(gains);
    drop_stale(losses);
    if (gains.empty() || losses.empty()) break;
    const Entry g = gains.top();
    const Entry l = losses.top();
    if (g.symbol == l.symbol || g.value <= l.value * (1 + 1e-12)) break;
    gains.pop();
    losses.pop();
    ++table.freq[g.symbol];
    --table.freq[l.symbol];
    push(g.symbol);
    push(l.symbol);
  }
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
