#include "bench/gguf_baselines.hpp"
#include "bench/gguf_streams.hpp"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "entropy/rans.hpp"
#include "lcl/error.hpp"
#include "util/byte_io.hpp"

namespace lcl::bench {
namespace gguf_streams {

constexpr StreamSplit kSplits[] = {
    {type::kQ4_K, 144, 0, 16},
    {type::kQ6_K, 210, 192, 18},
    {type::kQ8_0, 34, 0, 2},
};

const StreamSplit* find_split(TypeId type) {
  for (const auto& s : kSplits)
    if (s.type == type) return &s;
  return nullptr;
}

void write_zstd(ByteWriter& w, std::span<const uint8_t> bytes, int level) {
  std::vector<uint8_t> frame(ZSTD_compressBound(bytes.size()));
  const size_t n = ZSTD_compress(frame.data(), frame.size(), bytes.data(), bytes.size(), level);
  if (ZSTD_isError(n))
    throw Error(ErrorKind::kUnsupported, std::string("zstd: ") + ZSTD_getErrorName(n));
  w.varint(n);
  w.bytes(std::span<const uint8_t>(frame.data(), n));
}

void read_zstd(ByteReader& r, std::span<uint8_t> out) {
  const uint64_t n = r.varint_at_most(r.remaining(), "zstd frame size");
  auto frame = r.bytes(n);
  const size_t got = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(got) || got != out.size()) r.fail("zstd stream does not decode to its size");
}

// Header bytes of every block, byte-grouped: byte i of every block, for i in the header.
std::vector<uint8_t> grouped_headers(std::span<const uint8_t> input, const StreamSplit& s) {
  const size_t blocks = input.size() / s.block_bytes;
  std::vector<uint8_t> out(blocks * s.header_bytes);
  for (size_t b = 0; b < blocks; ++b)
    for (uint32_t i = 0; i < s.header_bytes; ++i)
      out[i * blocks + b] = input[b * s.block_bytes + s.header_offset + i];
  return out;
}

void scatter_headers(std::span<const uint8_t> grouped, const StreamSplit& s,
                     std::span<uint8_t> out) {
  const size_t blocks = out.size() / s.block_bytes;
  for (size_t b = 0; b < blocks; ++b)
    for (uint32_t i = 0; i < s.header_bytes; ++i)
      out[b * s.block_bytes + s.header_offset + i] = grouped[i * blocks + b];
}

// The non-header bytes of every block, in block order.
std::vector<uint8_t> quant_bytes(std::span<const uint8_t> input, const StreamSplit& s) {
  const size_t blocks = input.size() / s.block_bytes;
  const uint32_t quant = s.block_bytes - s.header_bytes;
  std::vector<uint8_t> out;
  out.reserve(blocks * quant);
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* block = input.data() + b * s.block_bytes;
    out.insert(out.end(), block, block + s.header_offset);
    out.insert(out.end(), block + s.header_offset + s.header_bytes, block + s.block_bytes);
  }
  return out;
}

void scatter_quants(std::span<const uint8_t> quants, const StreamSplit& s, std::span<uint8_t> out) {
  const size_t blocks = out.size() / s.block_bytes;
  const uint8_t* q = quants.data();
  for (size_t b = 0; b < blocks; ++b) {
    uint8_t* block = out.data() + b * s.block_bytes;
    std::copy_n(q, s.header_offset, block);
    q += s.header_offset;
    const uint32_t tail = s.block_bytes - s.header_offset - s.header_bytes;
    std::copy_n(q, tail, block + s.header_offset + s.header_bytes);
    q += tail;
  }
}

}  // namespace gguf_streams

namespace {

using namespace gguf_streams;
constexpr int kZstdLevel = 19;

const StreamSplit& checked_split(std::span<const uint8_t> bytes, const TensorInfo& tensor) {
  const StreamSplit* s = find_split(tensor.type);
  if (!s) throw Error(ErrorKind::kUsage, "method does not apply to " + tensor.name);
  if (bytes.size() % s->block_bytes != 0)
    throw Error(ErrorKind::kUnsupported, tensor.name + ": not whole blocks");
  return *s;
}

class PerStreamZstd final : public Method {
 public:
  std::string name() const override { return "perstream_zstd19_bg"; }
  MethodScope scope() const override { return MethodScope::kTensor; }
  bool applies_to(const TensorInfo& tensor) const override {
    return find_split(tensor.type) != nullptr;
  }

  std::vector<uint8_t> compress(std::span<const uint8_t> input,
                                const TensorInfo& tensor) const override {
    const StreamSplit& s = checked_split(input, tensor);
    std::vector<uint8_t> out;
    ByteWriter w(out);
    write_zstd(w, grouped_headers(input, s), kZstdLevel);
    write_zstd(w, quant_bytes(input, s), kZstdLevel);
    return out;
  }

  void decompress(std::span<const uint8_t> payload, const TensorInfo& tensor,
                  std::span<uint8_t> out) const override {
    const StreamSplit& s = checked_split(out, tensor);
    const size_t blocks = out.size() / s.block_bytes;
    ByteReader r(payload, "perstream_zstd19_bg payload");
    std::vector<uint8_t> headers(blocks * s.header_bytes),
        quants(blocks * (s.block_bytes - s.header_bytes));
    read_zstd(r, headers);
    read_zstd(r, quants);
    if (!r.at_end()) r.fail("trailing bytes");
    scatter_headers(headers, s, out);
    scatter_quants(quants, s, out);
  }
};

// --- K = 4 mixture nibble coder (Q4_K) ---

constexpr int kMixtures = 4;
constexpr uint32_t kMixturePrecision = 12;
constexpr size_t kQ4KBlock = 144;
constexpr size_t kMaxTrainingSubBlocks = 400000;  // bounds training time; sampled evenly

using NibbleCounts = std::array<uint64_t, 16>;

// The nibbles of a Q4_K sub-block j (32 values), as ggml lays them out.
void sub_block_nibbles(const uint8_t* block, int j, uint8_t out[32]) {
  const uint8_t* qs = block + 16 + 32 * (j / 2);
  for (int l = 0; l < 32; ++l) out[l] = (j & 1) ? qs[l] >> 4 : qs[l] & 0xF;
}

double cost_bits(const NibbleCounts& counts, const entropy::FrequencyTable& table) {
  double bits = 0;
  for (int v = 0; v < 16; ++v)
    if (counts[v]) {
      if (!table.freq[v]) return INFINITY;
      bits += static_cast<double>(counts[v]) * (kMixturePrecision - std::log2(table.freq[v]));
    }
  return bits;
}

class MixtureNibbleCoder final : public Method {
 public:
  std::string name() const override { return "qb_mixture_k4"; }
  MethodScope scope() const override { return MethodScope::kTensor; }
  bool applies_to(const TensorInfo& tensor) const override { return tensor.type == type::kQ4_K; }
  bool is_trained() const override { return true; }
  // Each table: 16 frequencies of 16 bits.
  uint64_t profile_bytes() const override { return trained_ ? kMixtures * 16 * 2 : 0; }

  void train(std::span<const std::vector<uint8_t>> samples,
             std::span<const TensorInfo> infos) override {
    std::vector<NibbleCounts> sub_blocks;
    size_t total = 0;
    for (size_t t = 0; t < samples.size() && t < infos.size(); ++t)
      if (infos[t].type == type::kQ4_K) total += samples[t].size() / kQ4KBlock * 8;
    const size_t stride = std::max<size_t>(1, total / kMaxTrainingSubBlocks);
    size_t index = 0;
    for (size_t t = 0; t < samples.size() && t < infos.size(); ++t) {
      if (infos[t].type != type::kQ4_K) continue;
      for (size_t b = 0; b < samples[t].size() / kQ4KBlock; ++b)
        for (int j = 0; j < 8; ++j, ++index) {
          if (index % stride) continue;
          uint8_t q[32];
          sub_block_nibbles(samples[t].data() + b * kQ4KBlock, j, q);
          NibbleCounts c{};
          for (uint8_t v : q) ++c[v];
          sub_blocks.push_back(c);
        }
    }
    if (sub_blocks.empty()) throw Error(ErrorKind::kUsage, "qb_mixture_k4: no Q4_K training data");
    // Hard-assignment EM (k-means with code length as the distance), seeded by the quartiles
    // of each sub-block's mean nibble.
    std::vector<int> assignment(sub_blocks.size());
    std::vector<std::pair<double, size_t>> by_mean(sub_blocks.size());
    for (size_t i = 0; i < sub_blocks.size(); ++i) {
      double mean = 0;
      for (int v = 0; v < 16; ++v) mean += v * static_cast<double>(sub_blocks[i][v]);
      by_mean[i] = {mean, i};
    }
    std::sort(by_mean.begin(), by_mean.end());
    for (size_t r = 0; r < by_mean.size(); ++r)
      assignment[by_mean[r].second] = static_cast<int>(r * kMixtures / by_mean.size());
    for (int iteration = 0; iteration < 12; ++iteration) {
      std::array<std::vector<uint64_t>, kMixtures> counts;
      for (auto& c : counts) c.assign(16, 1);  // +1: every nibble stays codable
      for (size_t i = 0; i < sub_blocks.size(); ++i)
        for (int v = 0; v < 16; ++v) counts[assignment[i]][v] += sub_blocks[i][v];
      for (int k = 0; k < kMixtures; ++k)
        tables_[k] = entropy::normalize_frequencies(counts[k], kMixturePrecision);
      for (size_t i = 0; i < sub_blocks.size(); ++i) assignment[i] = best_table(sub_blocks[i]);
    }
    trained_ = true;
  }

  // The four tables' 16 frequencies, 16 bits each, little-endian: 128 bytes.
  std::vector<uint8_t> save_profile() const override {
    if (!trained_) throw Error(ErrorKind::kUsage, "qb_mixture_k4: no profile before training");
    std::vector<uint8_t> out;
    ByteWriter w(out);
    for (const auto& table : tables_)
      for (uint32_t f : table.freq) w.u16(static_cast<uint16_t>(f));
    return out;
  }

  void load_profile(std::span<const uint8_t> bytes) override {
    ByteReader r(bytes, "qb_mixture_k4 profile");
    for (auto& table : tables_) {
      table.precision_bits = kMixturePrecision;
      table.freq.assign(16, 0);
      uint32_t sum = 0;
      for (auto& f : table.freq) sum += f = r.u16();
      // Every nibble must stay codable and the table must sum to the precision.
      if (sum != (1u << kMixturePrecision) ||
          std::find(table.freq.begin(), table.freq.end(), 0u) != table.freq.end())
        r.fail("a table does not hold 16 non-zero frequencies summing to 4096");
    }
    if (!r.at_end()) r.fail("trailing bytes");
    trained_ = true;
  }

  std::vector<uint8_t> compress(std::span<const uint8_t> input,
                                const TensorInfo& tensor) const override {
    const StreamSplit& s = checked(input, tensor);
    const size_t blocks = input.size() / kQ4KBlock;
    std::vector<uint16_t> nibbles(blocks * 256);
    std::vector<uint8_t> contexts(nibbles.size());
    std::vector<uint8_t> choices(blocks * 8);
    for (size_t b = 0; b < blocks; ++b)
      for (int j = 0; j < 8; ++j) {
        uint8_t q[32];
        sub_block_nibbles(input.data() + b * kQ4KBlock, j, q);
        NibbleCounts c{};
        for (uint8_t v : q) ++c[v];
        const int k = best_table(c);
        choices[b * 8 + j] = static_cast<uint8_t>(k);
        for (int l = 0; l < 32; ++l) {
          nibbles[(b * 8 + j) * 32 + l] = q[l];
          contexts[(b * 8 + j) * 32 + l] = static_cast<uint8_t>(k);
        }
      }
    std::vector<uint8_t> out;
    ByteWriter w(out);
    write_zstd(w, grouped_headers(input, s), kZstdLevel);
    std::vector<uint8_t> packed((choices.size() + 3) / 4, 0);
    for (size_t i = 0; i < choices.size(); ++i)
      packed[i / 4] |= static_cast<uint8_t>(choices[i] << (2 * (i % 4)));
    w.bytes(packed);
    std::vector<uint8_t> coded;
    entropy::rans_encode_contexts(nibbles, contexts, tables_, coded);
    w.varint(coded.size());
    w.bytes(coded);
    return out;
  }

  void decompress(std::span<const uint8_t> payload, const TensorInfo& tensor,
                  std::span<uint8_t> out) const override {
    const StreamSplit& s = checked(out, tensor);
    const size_t blocks = out.size() / kQ4KBlock;
    ByteReader r(payload, "qb_mixture_k4 payload");
    std::vector<uint8_t> headers(blocks * s.header_bytes);
    read_zstd(r, headers);
    auto packed = r.bytes((blocks * 8 + 3) / 4);
    std::vector<uint8_t> contexts(blocks * 256);
    for (size_t i = 0; i < blocks * 8; ++i)
      std::fill_n(contexts.begin() + static_cast<std::ptrdiff_t>(i * 32), 32,
                  (packed[i / 4] >> (2 * (i % 4))) & 3);
    const uint64_t coded_size = r.varint_at_most(r.remaining(), "coded size");
    auto coded = r.bytes(coded_size);
    if (!r.at_end()) r.fail("trailing bytes");
    std::vector<uint16_t> nibbles(blocks * 256);
    entropy::rans_decode_contexts(coded, contexts, tables_, nibbles);
    scatter_headers(headers, s, out);
    for (size_t b = 0; b < blocks; ++b) {
      uint8_t* qs = out.data() + b * kQ4KBlock + 16;
      for (int g = 0; g < 4; ++g)
        for (int l = 0; l < 32; ++l)
          qs[32 * g + l] = static_cast<uint8_t>(nibbles[b * 256 + (2 * g) * 32 + l] |
                                                (nibbles[b * 256 + (2 * g + 1) * 32 + l] << 4));
    }
  }

 private:
  const StreamSplit& checked(std::span<const uint8_t> bytes, const TensorInfo& tensor) const {
    if (!trained_) throw Error(ErrorKind::kUsage, "qb_mixture_k4 used before training");
    if (tensor.type != type::kQ4_K)
      throw Error(ErrorKind::kUsage, "qb_mixture_k4 applies to Q4_K only");
    return checked_split(bytes, tensor);
  }

  int best_table(const NibbleCounts& counts) const {
    int best = 0;
    double best_bits = INFINITY;
    for (int k = 0; k < kMixtures; ++k) {
      const double bits = cost_bits(counts, tables_[k]);
      if (bits < best_bits) {
        best_bits = bits;
        best = k;
      }
    }
    return best;
  }

  bool trained_ = false;
  std::array<entropy::FrequencyTable, kMixtures> tables_;
};

}  // namespace

std::vector<std::unique_ptr<Method>> gguf_baseline_methods() {
  std::vector<std::unique_ptr<Method>> methods;
  methods.push_back(std::make_unique<PerStreamZstd>());
  methods.push_back(std::make_unique<MixtureNibbleCoder>());
  return methods;
}

}  // namespace lcl::bench
