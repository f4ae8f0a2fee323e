#pragma once
// Helpers shared by the quantized-codec tests: a minimal reader of the tensor table of the corpus
// GGUF files (tests only; the library's parser lives in src/formats), random blocks, and a
// round-trip check.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "lcl/codec.hpp"
#include "lcl/error.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::test {

struct GgufTensor {
  std::string name;
  uint32_t type = 0;
  uint64_t offset = 0;  // absolute, in the file
  uint64_t elements = 0;
};

struct GgufFile {
  std::vector<uint8_t> bytes;
  std::vector<GgufTensor> tensors;
};

// Reads a GGUF v2/v3 file whole and lists its tensors (the corpus files are a few MiB).
inline GgufFile read_gguf_for_test(const std::filesystem::path& path) {
  GgufFile g;
  std::ifstream f(path, std::ios::binary);
  g.bytes.assign(std::istreambuf_iterator<char>(f), {});
  size_t p = 4;
  auto need = [&](size_t n) {
    if (p + n > g.bytes.size()) throw std::runtime_error("truncated gguf " + path.string());
  };
  auto u32 = [&] {
    need(4);
    uint32_t v;
    std::memcpy(&v, &g.bytes[p], 4);
    p += 4;
    return v;
  };
  auto u64 = [&] {
    need(8);
    uint64_t v;
    std::memcpy(&v, &g.bytes[p], 8);
    p += 8;
    return v;
  };
  auto str = [&] {
    uint64_t n = u64();
    need(n);
    std::string s(reinterpret_cast<const char*>(&g.bytes[p]), n);
    p += n;
    return s;
  };
  u32();  // version
  const uint64_t tensor_count = u64();
  const uint64_t kv_count = u64();
  uint64_t alignment = 32;
  std::function<void(uint32_t)> skip = [&](uint32_t t) {
    static const int kSizes[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    if (t == 8) {
      str();
    } else if (t == 9) {
      const uint32_t element = u32();
      const uint64_t n = u64();
      for (uint64_t i = 0; i < n; ++i) skip(element);
    } else {
      need(kSizes[t]);
      p += kSizes[t];
    }
  };
  for (uint64_t i = 0; i < kv_count; ++i) {
    const std::string key = str();
    const uint32_t t = u32();
    if (key == "general.alignment" && t == 4) {
      alignment = u32();
    } else {
      skip(t);
    }
  }
  for (uint64_t i = 0; i < tensor_count; ++i) {
    GgufTensor t;
    t.name = str();
    const uint32_t dims = u32();
    t.elements = 1;
    for (uint32_t d = 0; d < dims; ++d) t.elements *= u64();
    t.type = u32();
    t.offset = u64();
    g.tensors.push_back(t);
  }
  const uint64_t data_start = (p + alignment - 1) / alignment * alignment;
  for (auto& t : g.tensors) t.offset += data_start;
  return g;
}

inline std::vector<std::filesystem::path> corpus_gguf_files(const std::filesystem::path& corpus) {
  return {corpus / "bytellama-25m-gguf/bytellama-25m-Q4_K_M.gguf",
          corpus / "bytellama-25m-gguf/bytellama-25m-Q6_K.gguf",
          corpus / "bytellama-25m-gguf/bytellama-25m-Q8_0.gguf",
          corpus / "use-lite/use-lite-Q4_K_M.gguf", corpus / "stories260K/stories260K-Q4_K_M.gguf"};
}

inline std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// Encodes, decodes and compares byte for byte; returns the payload size.
inline size_t expect_roundtrip(const Codec& codec, std::span<const uint8_t> input, TypeId type) {
  std::vector<uint8_t> payload;
  EncodeContext context;
  context.type = type;
  codec.encode(input, context, payload);
  std::vector<uint8_t> back(input.size(), 0xAA);
  codec.decode(payload, back);
  EXPECT_TRUE(std::equal(back.begin(), back.end(), input.begin(), input.end()))
      << codec.name() << " changed bytes";
  return payload.size();
}

// Decoding a damaged payload must either throw lcl::Error(kCorruptInput) or produce bytes (which
// the container's checksum then rejects); it must never crash or read out of bounds (ASan).
inline void expect_corruption_handled(const Codec& codec, std::span<const uint8_t> input,
                                      TypeId type, uint32_t seed) {
  std::vector<uint8_t> payload;
  EncodeContext context;
  context.type = type;
  codec.encode(input, context, payload);
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(input.size());
  int rejected = 0;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint8_t> damaged = payload;
    switch (trial % 3) {
      case 0:
        damaged[rng() % damaged.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 1:
        damaged.resize(rng() % damaged.size());
        break;
      default:
        for (int k = 0; k < 8; ++k) damaged[rng() % damaged.size()] = static_cast<uint8_t>(rng());
        break;
    }
    try {
      codec.decode(damaged, out);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput) << e.what();
      ++rejected;
    }
  }
  // Truncations are always detected; most bit flips are too.
  EXPECT_GT(rejected, 66);
  // A wrong output size is always rejected.
  std::vector<uint8_t> wrong(input.size() + 1);
  EXPECT_THROW(codec.decode(payload, wrong), Error);
}

// Switches the codecs' x86-64 kernels off (portable = true) for the scope's lifetime.
struct PortableScope {
  explicit PortableScope(bool portable) { kernels::force_portable(portable); }
  ~PortableScope() { kernels::force_portable(false); }
  PortableScope(const PortableScope&) = delete;
  PortableScope& operator=(const PortableScope&) = delete;
};

// encode() on the portable path and with the kernels must write the same bytes, and decode() of
// them must give `expected` (decode runs with the kernels; the portable decode of the portable
// payload too).
template <class Encode, class Decode>
void expect_paths_agree(const std::vector<uint8_t>& expected, Encode&& encode, Decode&& decode,
                        const std::string& label) {
  std::vector<uint8_t> portable;
  {
    PortableScope scope(true);
    portable = encode();
    EXPECT_EQ(decode(portable), expected) << label << ", portable";
  }
  const std::vector<uint8_t> kernels = encode();
  EXPECT_EQ(portable, kernels) << label << ": both paths write the same bytes";
  EXPECT_EQ(decode(kernels), expected) << label;
}

// expect_paths_agree for a codec's encode() and decode() of `input`.
inline void expect_codec_paths_agree(const Codec& codec, std::span<const uint8_t> input,
                                     const std::string& label) {
  const std::vector<uint8_t> expected(input.begin(), input.end());
  expect_paths_agree(
      expected,
      [&] {
        std::vector<uint8_t> payload;
        codec.encode(input, {}, payload);
        return payload;
      },
      [&](const std::vector<uint8_t>& payload) {
        std::vector<uint8_t> out(input.size());
        codec.decode(payload, out);
        return out;
      },
      label);
}

// The kernels (AVX-512 or AVX2, whichever the CPU has) and the portable decoder agree on damaged
// payloads too: 200 single-bit flips in the payload's second half (its rANS stream), each giving
// the same bytes on both paths or an error from both. Returns how many decoded.
template <class Decode>
int expect_damage_decoded_alike(const std::vector<uint8_t>& payload, Decode&& decode) {
  std::mt19937 rng(13);
  int decoded = 0;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint8_t> damaged = payload;
    const size_t at = damaged.size() - 1 - rng() % (damaged.size() / 2);
    damaged[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
    std::vector<uint8_t> out[2];
    bool failed[2] = {false, false};
    for (int portable = 0; portable < 2; ++portable) {
      PortableScope paths(portable == 1);
      try {
        out[portable] = decode(damaged);
      } catch (const Error&) {
        failed[portable] = true;
      }
    }
    EXPECT_EQ(failed[0], failed[1]) << "flip at " << at;
    EXPECT_EQ(out[0], out[1]) << "flip at " << at;
    decoded += !failed[0];
  }
  return decoded;
}

// A decoder given damaged copies of a valid payload: every truncation must throw lcl::Error, and
// of 300 single-bit flips most must throw lcl::Error(kCorruptInput) (a table, a size or the final
// rANS states breaks); the others may decode to other values, which the container's checksums
// catch. Never a crash or an access out of bounds (the sanitizer build runs this).
template <class Decode>
void expect_damage_rejected(std::span<const uint8_t> payload, Decode&& decode, uint32_t seed) {
  for (size_t n = 0; n < payload.size(); n += 1 + n / 8)
    EXPECT_THROW(decode(payload.first(n)), Error) << "prefix of " << n;
  std::mt19937 rng(seed);
  int rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> damaged(payload.begin(), payload.end());
    damaged[rng() % damaged.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    try {
      decode(std::span<const uint8_t>(damaged));
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruptInput) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 200);
}

}  // namespace lcl::test
