// Compact frequency tables (see compact_table.hpp).
#include "entropy/compact_table.hpp"

#include <algorithm>
#include <bit>
#include <numeric>
#include <queue>
#include <string>

#include "entropy/bit_io.hpp"
#include "lcl/error.hpp"

namespace lcl::entropy {

namespace {
constexpr uint32_t kExactCodes = 32;  // frequencies below this are stored exactly
constexpr uint8_t kMaxCode = 223;     // 2^16 rounds to code 223 (largest frequency possible)
}  // namespace

uint8_t frequency_to_code(uint32_t freq) {
  if (freq < kExactCodes) return static_cast<uint8_t>(freq);
  uint32_t exponent = std::bit_width(freq) - 1;  // >= 5
  // Round to 4 bits after the leading one (to nearest, ties up).
  uint32_t q = (freq + (1u << (exponent - 5))) >> (exponent - 4);  // in [16, 32]
  if (q == 32) {
    q = 16;
    ++exponent;
  }
  return static_cast<uint8_t>(kExactCodes + (exponent - 5) * 16 + (q - 16));
}

uint32_t code_to_weight(uint8_t code) {
  if (code < kExactCodes) return code;
  const uint32_t exponent = 5 + (code - kExactCodes) / 16;
  const uint32_t q = 16 + (code - kExactCodes) % 16;
  return q << (exponent - 4);
}

std::vector<uint32_t> normalize_weights_integer(std::span<const uint32_t> weights,
                                                uint32_t precision_bits) {
  if (weights.empty()) return {};
  const uint64_t total = uint64_t{1} << precision_bits;
  uint64_t sum = 0;
  for (uint32_t w : weights) sum += w;
  std::vector<uint32_t> freq(weights.size());
  std::vector<uint64_t> remainder(weights.size());
  uint64_t assigned = 0;
  for (size_t s = 0; s < weights.size(); ++s) {
    const uint64_t scaled = uint64_t{weights[s]} * total;  // < 2^17 * 2^16: no overflow
    const uint64_t share = scaled / sum;
    freq[s] = static_cast<uint32_t>(std::max<uint64_t>(1, share));
    // A symbol raised to the floor of 1 already holds more than its share: it must not also
    // collect a rounding unit (each unit taken from the frequent symbols costs them ~N/M bits).
    remainder[s] = share == 0 ? 0 : scaled % sum;
    assigned += freq[s];
  }
  if (assigned < total) {
    // Largest remainders first (ties: lower symbol). That order is total, so the units go to
    // the same symbols whether the order is sorted in full or only split at the deficit, which
    // is below the symbol count (the full sort stays for the wrap-around that would need more).
    const uint64_t deficit = total - assigned;
    std::vector<uint32_t> order(weights.size());
    std::iota(order.begin(), order.end(), 0u);
    const auto before = [&](uint32_t a, uint32_t b) {
      return remainder[a] != remainder[b] ? remainder[a] > remainder[b] : a < b;
    };
    if (deficit < order.size()) {
      std::nth_element(order.begin(), order.begin() + static_cast<ptrdiff_t>(deficit), order.end(),
                       before);
      for (uint64_t j = 0; j < deficit; ++j) ++freq[order[j]];
    } else {
      std::sort(order.begin(), order.end(), before);
      for (size_t j = 0; assigned < total; ++j, ++assigned) ++freq[order[j % order.size()]];
    }
  } else if (assigned > total) {
    // The floor of 1 overshot: take from the largest frequencies (least relative harm).
    std::priority_queue<std::pair<uint32_t, int64_t>>
        largest;  // (freq, -symbol): ties -> lower symbol
    for (size_t s = 0; s < freq.size(); ++s)
      if (freq[s] > 1) largest.emplace(freq[s], -static_cast<int64_t>(s));
    while (assigned > total) {
      auto [f, neg] = largest.top();
      largest.pop();
      const size_t s = static_cast<size_t>(-neg);
      --freq[s];
      --assigned;
      if (freq[s] > 1) largest.emplace(freq[s], neg);
    }
  }
  return freq;
}

namespace {

FrequencyTable rebuild(size_t alphabet, uint32_t precision_bits,
                       std::span<const uint32_t> present_symbols, std::span<const uint8_t> codes) {
  std::vector<uint32_t> weights(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) weights[i] = code_to_weight(codes[i]);
  FrequencyTable table;
  table.precision_bits = precision_bits;
  table.freq.assign(alphabet, 0);
  if (present_symbols.empty()) return table;
  const auto freq = normalize_weights_integer(weights, precision_bits);
  for (size_t i = 0; i < present_symbols.size(); ++i) table.freq[present_symbols[i]] = freq[i];
  return table;
}

}  // namespace

void compact_present_frequencies(std::span<const uint64_t> counts, uint32_t precision_bits,
                                 std::vector<uint8_t>& codes, std::vector<uint32_t>& freq) {
  std::vector<uint32_t> exact;  // per present symbol: a few KiB at most
  normalize_present_frequencies(counts, precision_bits, exact);
  codes.resize(exact.size());
  std::vector<uint32_t> weights;
  weights.resize(exact.size());
  for (size_t i = 0; i < exact.size(); ++i) {
    codes[i] = frequency_to_code(exact[i]);
    weights[i] = code_to_weight(codes[i]);
  }
  freq = normalize_weights_integer(weights, precision_bits);
}

CompactTable make_compact_table(std::span<const uint64_t> counts, uint32_t precision_bits) {
  if (counts.size() > kMaxAlphabet)
    throw Error(ErrorKind::kUsage, "alphabet larger than 65536 symbols");
  std::vector<uint32_t> present;
  std::vector<uint64_t> present_counts;
  for (size_t s = 0; s < counts.size(); ++s) {
    if (counts[s] == 0) continue;
    present.push_back(static_cast<uint32_t>(s));
    present_counts.push_back(counts[s]);
  }
  CompactTable compact;
  std::vector<uint32_t> freq;
  compact_present_frequencies(present_counts, precision_bits, compact.codes, freq);
  compact.table.precision_bits = precision_bits;
  compact.table.freq.assign(counts.size(), 0);
  for (size_t i = 0; i < present.size(); ++i) compact.table.freq[present[i]] = freq[i];
  return compact;
}

// Layout: u8 precision_bits, varint alphabet, then run lengths alternating absent / present
// (starting with absent, possibly 0) until they cover the alphabet, then one code byte per
// present symbol.
void write_compact_header(uint32_t precision_bits, size_t alphabet,
                          std::span<const uint32_t> present_symbols, ByteWriter& out) {
  out.u8(static_cast<uint8_t>(precision_bits));
  out.varint(alphabet);
  uint64_t next = 0;  // first symbol after the last run written
  for (size_t i = 0; i < present_symbols.size();) {
    size_t j = i + 1;
    while (j < present_symbols.size() && present_symbols[j] == present_symbols[j - 1] + 1) ++j;
    out.varint(present_symbols[i] - next);
    out.varint(j - i);
    next = present_symbols[j - 1] + uint64_t{1};
    i = j;
  }
  if (next < alphabet) out.varint(alphabet - next);  // a trailing absent run, if any
}

size_t compact_header_size(uint32_t precision_bits, size_t alphabet,
                           std::span<const uint32_t> present_symbols) {
  std::vector<uint8_t> header;
  ByteWriter writer(header);
  write_compact_header(precision_bits, alphabet, present_symbols, writer);
  return header.size();
}

size_t compact_table_size(uint32_t precision_bits, size_t alphabet,
                          std::span<const uint32_t> present_symbols) {
  return compact_header_size(precision_bits, alphabet, present_symbols) + present_symbols.size();
}

namespace {
std::vector<uint32_t> present_symbols_of(const FrequencyTable& table) {
  std::vector<uint32_t> present;
  for (size_t s = 0; s < table.freq.size(); ++s)
    if (table.freq[s] != 0) present.push_back(static_cast<uint32_t>(s));
  return present;
}
}  // namespace

void write_compact_table(const CompactTable& compact, ByteWriter& out) {
  const FrequencyTable& table = compact.table;
  write_compact_header(table.precision_bits, table.freq.size(), present_symbols_of(table), out);
  out.bytes(compact.codes);
}

namespace {

// The header write_compact_header writes, validated like read_frequency_table.
struct CompactHeader {
  uint32_t precision_bits = 0;
  uint64_t alphabet = 0;
  std::vector<uint32_t> present;
};

CompactHeader read_compact_header(ByteReader& in, uint32_t max_alphabet) {
  CompactHeader h;
  h.precision_bits = in.u8();
  if (h.precision_bits < 8 || h.precision_bits > 16)
    in.fail("rANS precision " + std::to_string(h.precision_bits) + " outside [8, 16]");
  h.alphabet = in.varint_at_most(std::min(max_alphabet, kMaxAlphabet), "alphabet size");
  uint64_t s = 0;
  while (s < h.alphabet) {
    s += in.varint_at_most(h.alphabet - s, "absent run");
    if (s == h.alphabet) break;
    const uint64_t run = in.varint_at_most(h.alphabet - s, "present run");
    if (run == 0) in.fail("empty present run");
    if (h.present.size() + run > (uint64_t{1} << h.precision_bits))
      in.fail("more symbols than the precision holds");
    for (uint64_t j = 0; j < run; ++j) h.present.push_back(static_cast<uint32_t>(s + j));
    s += run;
  }
  return h;
}

size_t varint_size(uint64_t v) {
  size_t n = 1;
  for (; v >= 128; v >>= 7) ++n;
  return n;
}

// Zigzag of the difference of two codes in [1, 223], plus one (the gamma code's value >= 1).
uint32_t code_step(uint8_t previous, uint8_t code) {
  const int d = int{code} - int{previous};
  return static_cast<uint32_t>(d >= 0 ? 2 * d : -2 * d - 1) + 1;
}

template <class Bits>
void put_smooth_codes(std::span<const uint8_t> codes, Bits& bits) {
  uint8_t previous = 0;
  for (uint8_t c : codes) {
    bits.gamma(code_step(previous, c));
    previous = c;
  }
}

}  // namespace

FrequencyTable read_compact_table(ByteReader& in, uint32_t max_alphabet) {
  const CompactHeader h = read_compact_header(in, max_alphabet);
  const auto codes = in.bytes(h.present.size());
  for (uint8_t c : codes)
    if (c == 0 || c > kMaxCode) in.fail("invalid frequency code");
  return rebuild(h.alphabet, h.precision_bits, h.present, codes);
}

size_t smooth_codes_size(std::span<const uint8_t> codes) {
  BitCounter counter;
  put_smooth_codes(codes, counter);
  const uint64_t bytes = (counter.count() + 7) / 8;
  return varint_size(bytes) + bytes;
}

size_t smooth_compact_table_size(uint32_t precision_bits, size_t alphabet,
                                 std::span<const uint32_t> present_symbols,
                                 std::span<const uint8_t> codes) {
  return compact_header_size(precision_bits, alphabet, present_symbols) + smooth_codes_size(codes);
}

void write_smooth_compact_table(const CompactTable& compact, ByteWriter& out) {
  const FrequencyTable& table = compact.table;
  write_compact_header(table.precision_bits, table.freq.size(), present_symbols_of(table), out);
  std::vector<uint8_t> bits;
  {
    BitWriter writer(bits);
    put_smooth_codes(compact.codes, writer);
  }
  out.varint(bits.size());
  out.bytes(bits);
}

FrequencyTable read_smooth_compact_table(ByteReader& in, uint32_t max_alphabet) {
  const CompactHeader h = read_compact_header(in, max_alphabet);
  // A code's step is at most 2 * 223, a gamma code of at most 17 bits.
  const uint64_t size = in.varint_at_most((h.present.size() * 17 + 7) / 8, "smooth code bytes");
  BitReader bits(in.bytes(size));
  std::vector<uint8_t> codes(h.present.size());
  uint8_t previous = 0;
  for (uint8_t& c : codes) {
    const uint32_t step = bits.gamma() - 1;
    if (step > 2u * kMaxCode) in.fail("invalid frequency code");  // before any signed arithmetic
    const int d = (step & 1) ? -static_cast<int>((step + 1) / 2) : static_cast<int>(step / 2);
    const int code = int{previous} + d;
    if (code < 1 || code > kMaxCode) in.fail("invalid frequency code");
    c = static_cast<uint8_t>(code);
    previous = c;
  }
  return rebuild(h.alphabet, h.precision_bits, h.present, codes);
}

}  // namespace lcl::entropy
