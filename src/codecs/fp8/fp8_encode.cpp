// Fp8 codec encoder: byte histogram, precision by measured size, then one rANS pass (the AVX2
// kernel's whole groups where the CPU has it, fp8_encode_avx2.cpp).
#include <cmath>
#include <cstring>
#include <limits>

#include "codecs/codec_scratch.hpp"
#include "codecs/fp8/fp8_coder.hpp"
#include "entropy/compact_table.hpp"
#include "entropy/rans_interleaved.hpp"
#include "lcl/error.hpp"
#include "util/byte_io.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::fp8_format {

namespace {

// Byte histogram with four interleaved counter tables (consecutive equal bytes would otherwise
// serialise on one counter's store-to-load latency), in blocks that cannot overflow 32 bits.
void count_bytes(std::span<const uint8_t> input, uint64_t (&counts)[kAlphabet]) {
  for (uint64_t& c : counts) c = 0;
  uint32_t part[4][kAlphabet];
  for (size_t start = 0; start < input.size();) {
    const size_t end = start + std::min<size_t>(input.size() - start, 0xFFFFFFF0u);
    std::memset(part, 0, sizeof part);
    size_t i = start;
    for (; i + 8 <= end; i += 8) {
      uint64_t w;
      std::memcpy(&w, input.data() + i, 8);
      ++part[0][w & 0xFF];
      ++part[1][(w >> 8) & 0xFF];
      ++part[2][(w >> 16) & 0xFF];
      ++part[3][(w >> 24) & 0xFF];
      ++part[0][(w >> 32) & 0xFF];
      ++part[1][(w >> 40) & 0xFF];
      ++part[2][(w >> 48) & 0xFF];
      ++part[3][w >> 56];
    }
    for (; i < end; ++i) ++part[0][input[i]];
    for (uint32_t s = 0; s < kAlphabet; ++s)
      counts[s] += uint64_t{part[0][s]} + part[1][s] + part[2][s] + part[3][s];
    start = end;
  }
}

// The precision whose table (its bytes plus the coded size at its quantised frequencies) is
// smallest; ties go to the finer precision. The total is in practice unimodal in the precision
// (coarser tables cost fewer bytes and code worse), so the search walks down from the finest and
// stops at the first rise: two normalisations for a chunk of weights, which take 14, instead of
// five (15% of the encoder's time on use-lite-fp8's tensors of 64 KiB to 2 MiB).
uint32_t choose_precision(const uint64_t (&counts)[kAlphabet]) {
  std::vector<uint64_t> present_counts;
  std::vector<uint32_t> present;
  for (uint32_t s = 0; s < kAlphabet; ++s) {
    if (counts[s] == 0) continue;
    present.push_back(s);
    present_counts.push_back(counts[s]);
  }
  std::vector<uint8_t> codes;
  std::vector<uint32_t> freq;
  uint32_t best = kMaxPrecision;
  double best_bits = std::numeric_limits<double>::infinity();
  for (uint32_t p = kMaxPrecision; p >= kMinPrecision; --p) {
    entropy::compact_present_frequencies(present_counts, p, codes, freq);
    double bits = 8.0 * static_cast<double>(entropy::compact_table_size(p, kAlphabet, present));
    for (size_t j = 0; j < freq.size(); ++j)
      bits += static_cast<double>(present_counts[j]) * (p - std::log2(freq[j]));
    if (bits > best_bits) break;
    if (bits < best_bits) {
      best_bits = bits;
      best = p;
    }
  }
  return best;
}

// The stream of `input` with L lanes, after the header and table already in `out`: entries[s]
// codes byte value s, where the table's frequency is not zero.
template <int L>
void encode_lanes(std::span<const uint8_t> input, const entropy::FrequencyTable& table,
                  const entropy::EncoderSymbol (&entries)[kAlphabet], std::vector<uint8_t>& out,
                  Workspace& workspace) {
  const uint64_t n = input.size();
  const uint8_t* data = input.data();
  const uint64_t stashed = stashed_bytes(n, L);
  uint8_t stash[2 * L] = {};
  std::memcpy(stash, data + n - stashed, stashed);
  uint32_t initial[L];
  for (int l = 0; l < L; ++l)
    initial[l] = entropy::kStateLow | stash[2 * l] | uint32_t{stash[2 * l + 1]} << 8;
  auto symbol_of = [&](size_t i) -> const entropy::EncoderSymbol& { return entries[data[i]]; };
  if constexpr (kernels::kAvx512Built) {
    if (kernels::avx2_available()) {
      PackedEntries packed;
      packed.precision_bits = table.precision_bits;
      for (uint32_t s = 0; s < kAlphabet; ++s)
        if (table.freq[s] != 0)
          packed.entries[s] = entropy::pack_encoder_symbol(entries[s], table.precision_bits);
      entropy::encode_interleaved_bulk<L>(
          n - stashed, symbol_of,
          [&](uint32_t(&x)[L], uint16_t*& at, size_t i) {
            return encode_groups_avx2(packed, data, x, at, i);
          },
          out, initial, workspace.scratch().coder.words);
      return;
    }
  }
  entropy::encode_interleaved<L>(n - stashed, symbol_of, out, initial,
                                 workspace.scratch().coder.words);
}

}  // namespace

void encode_fp8(std::span<const uint8_t> input, Fp8Kind kind, std::vector<uint8_t>& out,
                Workspace& workspace, const Fp8Options& options) {
  if (options.precision_bits != 0 &&
      (options.precision_bits < kMinPrecision || options.precision_bits > kMaxPrecision))
    throw Error(ErrorKind::kUsage, "fp8 codec: precision outside [10, 14]");
  if (options.version != 0 && options.version != kVersionLanes32 &&
      options.version != kVersionLanes64)
    throw Error(ErrorKind::kUsage, "fp8 codec: payload version is 1 or 2");
  const uint64_t n = input.size();
  const uint8_t version = options.version != 0 ? options.version : version_for(n);
  out.reserve(out.size() + n + n / 8 + 1024);
  ByteWriter w(out);
  w.u8(version);
  w.u8(static_cast<uint8_t>(kind));
  w.varint(n);
  if (n == 0) return;
  uint64_t counts[kAlphabet];
  count_bytes(input, counts);
  const uint32_t precision =
      options.precision_bits ? options.precision_bits : choose_precision(counts);
  const entropy::CompactTable table = entropy::make_compact_table(counts, precision);
  entropy::write_compact_table(table, w);
  entropy::EncoderSymbol entries[kAlphabet] = {};
  uint32_t cum = 0;
  for (uint32_t s = 0; s < kAlphabet; ++s) {
    const uint32_t f = table.table.freq[s];
    if (f == 0) continue;
    entries[s] = entropy::make_encoder_symbol(cum, f, precision);
    cum += f;
  }
  if (version == kVersionLanes32)
    encode_lanes<kLanesV1>(input, table.table, entries, out, workspace);
  else
    encode_lanes<kLanesV2>(input, table.table, entries, out, workspace);
}

}  // namespace lcl::fp8_format
