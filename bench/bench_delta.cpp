// The delta codec on a (fine-tune, base) pair: a report of the coded size of every float tensor
// the two share, next to the order-0 bounds (the fine-tune's 16-bit words alone, their XOR with
// the base, the difference of ordered codes, and that difference given the base's exponent), then
// timed encode / decode cases on one thread (MB/s of fine-tune bytes per CPU second; set
// LCL_FORCE_SCALAR=1 for the portable code instead of the AVX2 kernels). Chunks are cut like the
// planner cuts tensors (even pieces of at most 4 MiB).
//
//   ./build/release/bench/bench_delta [--pair FT_DIR=BASE_DIR] [--report_only]
//       --benchmark_min_time=0.5s
// Default pair: the corpus's bytellama-25m-ft-changelog against bytellama-25m.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "codecs/delta/delta_coder.hpp"
#include "codecs/delta/delta_format.hpp"
#include "codecs/float/float_format.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"
#include "lcl/workspace.hpp"

namespace {

using namespace lcl;
namespace fs = std::filesystem;

constexpr uint64_t kChunkSize = 4u << 20;
constexpr uint64_t kMinTensorBytes = 4096;

struct Chunk {
  TypeId type;
  std::vector<uint8_t> tuned, base;
};

struct Shard {
  std::string name;
  std::vector<Chunk> chunks;
  uint64_t bytes = 0;
  // Order-0 bounds in bits, summed over 16-bit tensors (bits of the whole tensor).
  double alone = 0, xor_bits = 0, difference = 0, given_exponent = 0;
  uint64_t words16 = 0;
};

double entropy_of(const std::unordered_map<uint32_t, uint64_t>& counts) {
  uint64_t n = 0;
  for (const auto& [_, c] : counts) n += c;
  double bits = 0;
  for (const auto& [_, c] : counts) bits -= c * std::log2(static_cast<double>(c) / n);
  return bits;
}

void add_bounds(Shard& shard, const std::vector<uint8_t>& tuned, const std::vector<uint8_t>& base,
                const float_format::FloatLayout& layout) {
  const size_t n = tuned.size() / 2;
  std::vector<uint64_t> alone(65536), xored(65536), diff(65536);
  std::map<uint32_t, std::unordered_map<uint32_t, uint64_t>> by_exponent;
  for (size_t i = 0; i < n; ++i) {
    uint16_t v, b;
    std::memcpy(&v, &tuned[2 * i], 2);
    std::memcpy(&b, &base[2 * i], 2);
    const auto d = static_cast<uint16_t>(delta_format::ordered(v) - delta_format::ordered(b));
    ++alone[v];
    ++xored[v ^ b];
    ++diff[d];
    ++by_exponent[(b >> layout.mantissa_bits) & ((1u << (layout.sign_exp_bits - 1)) - 1)][d];
  }
  auto h = [](const std::vector<uint64_t>& counts) {
    uint64_t total = 0;
    for (uint64_t c : counts) total += c;
    double bits = 0;
    for (uint64_t c : counts)
      if (c) bits -= c * std::log2(static_cast<double>(c) / total);
    return bits;
  };
  shard.alone += h(alone);
  shard.xor_bits += h(xored);
  shard.difference += h(diff);
  for (const auto& [_, counts] : by_exponent) shard.given_exponent += entropy_of(counts);
  shard.words16 += n;
}

std::vector<Shard> load_pair(const fs::path& tuned_dir, const fs::path& base_dir) {
  // The base's tensors by name, across its files.
  struct Where {
    fs::path file;
    Region region;
  };
  std::unordered_map<std::string, Where> base_tensors;
  for (const fs::path& file : model_files(base_dir))
    for (const Region& r : read_layout(file).regions)
      if (r.kind == RegionKind::kTensor) base_tensors.emplace(r.tensor.name, Where{file, r});
  std::vector<Shard> shards;
  for (const fs::path& file : model_files(tuned_dir)) {
    Shard shard;
    shard.name = file.filename().string();
    FileSource source(file);
    for (const Region& r : read_layout(file).regions) {
      if (r.kind != RegionKind::kTensor || r.size < kMinTensorBytes) continue;
      const auto* layout = float_format::layout_of_type(r.tensor.type);
      auto match = base_tensors.find(r.tensor.name);
      if (!layout || match == base_tensors.end() ||
          match->second.region.tensor.type != r.tensor.type ||
          match->second.region.tensor.shape != r.tensor.shape)
        continue;
      FileSource base(match->second.file);
      std::vector<uint8_t> tuned_bytes(r.size), base_bytes(r.size);
      source.read(r.offset, tuned_bytes);
      base.read(match->second.region.offset, base_bytes);
      if (layout->bytes == 2) add_bounds(shard, tuned_bytes, base_bytes, *layout);
      const uint64_t elements = r.size / layout->bytes;
      const uint64_t per_chunk = kChunkSize / layout->bytes;
      const uint64_t pieces = (elements + per_chunk - 1) / per_chunk;
      uint64_t at = 0;
      for (uint64_t i = 0; i < pieces; ++i) {
        const uint64_t count = elements / pieces + (i < elements % pieces ? 1 : 0);
        const uint64_t size = count * layout->bytes;
        shard.chunks.push_back({r.tensor.type,
                                {tuned_bytes.begin() + at, tuned_bytes.begin() + at + size},
                                {base_bytes.begin() + at, base_bytes.begin() + at + size}});
        at += size;
      }
      shard.bytes += r.size;
    }
    if (!shard.chunks.empty()) shards.push_back(std::move(shard));
  }
  return shards;
}

std::vector<Shard>& shards() {
  static std::vector<Shard> loaded;
  return loaded;
}

// One workspace for every call, as the compressor keeps one per thread.
Workspace& bench_workspace() {
  static Workspace workspace;
  return workspace;
}

uint64_t encode_all(const Shard& shard, std::vector<std::vector<uint8_t>>* payloads) {
  uint64_t total = 0;
  std::vector<uint8_t> payload;
  for (const Chunk& c : shard.chunks) {
    payload.clear();
    delta_format::encode_delta(c.tuned, c.base, ReferenceRange{0, 0, c.tuned.size()}, c.type,
                               PlanOptions{}.zstd_level, payload, bench_workspace());
    total += payload.size();
    if (payloads) payloads->push_back(payload);
  }
  return total;
}

void print_report() {
  std::printf(
      "delta codec on the float tensors both models hold (order-0 bounds of 16-bit "
      "tensors, bits per weight and ratio):\n");
  std::printf("%-36s %12s %12s %8s | %14s %14s %14s %14s\n", "shard", "bytes", "coded", "ratio",
              "alone", "xor", "difference", "given exponent");
  uint64_t bytes = 0, coded = 0;
  for (const Shard& s : shards()) {
    const uint64_t size = encode_all(s, nullptr);
    bytes += s.bytes;
    coded += size;
    auto bound = [&](double bits) {
      char text[32];
      const double per = bits / static_cast<double>(s.words16);
      std::snprintf(text, sizeof text, "%.3f (%.2fx)", per, 16.0 / per);
      return std::string(s.words16 ? text : "-");
    };
    std::printf("%-36s %12llu %12llu %7.3fx | %14s %14s %14s %14s\n", s.name.c_str(),
                static_cast<unsigned long long>(s.bytes), static_cast<unsigned long long>(size),
                static_cast<double>(s.bytes) / static_cast<double>(size), bound(s.alone).c_str(),
                bound(s.xor_bits).c_str(), bound(s.difference).c_str(),
                bound(s.given_exponent).c_str());
  }
  std::printf("%-36s %12llu %12llu %7.3fx\n\n", "all", static_cast<unsigned long long>(bytes),
              static_cast<unsigned long long>(coded),
              static_cast<double>(bytes) / static_cast<double>(coded));
}

void run_encode(benchmark::State& state) {
  uint64_t bytes = 0;
  for (auto _ : state)
    for (const Shard& s : shards()) {
      benchmark::DoNotOptimize(encode_all(s, nullptr));
      bytes += s.bytes;
    }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void run_decode(benchmark::State& state) {
  std::vector<std::vector<std::vector<uint8_t>>> payloads(shards().size());
  for (size_t i = 0; i < shards().size(); ++i) encode_all(shards()[i], &payloads[i]);
  std::vector<uint8_t> out;
  uint64_t bytes = 0;
  for (auto _ : state)
    for (size_t i = 0; i < shards().size(); ++i)
      for (size_t c = 0; c < shards()[i].chunks.size(); ++c) {
        const Chunk& chunk = shards()[i].chunks[c];
        out.resize(chunk.tuned.size());
        delta_format::decode_delta(payloads[i][c], chunk.base, out, bench_workspace());
        bytes += out.size();
      }
  for (size_t c = 0; c < shards().back().chunks.size(); ++c) {
    const Chunk& chunk = shards().back().chunks[c];
    out.resize(chunk.tuned.size());
    delta_format::decode_delta(payloads.back()[c], chunk.base, out);
    if (out != chunk.tuned) state.SkipWithError("roundtrip failed");
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  fs::path tuned = fs::path(LCL_CORPUS_DIR) / "bytellama-25m-ft-changelog";
  fs::path base = fs::path(LCL_CORPUS_DIR) / "bytellama-25m";
  bool report_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--report_only") {
      report_only = true;
    } else if (arg == "--pair" && i + 1 < argc) {
      const std::string pair = argv[++i];
      const size_t eq = pair.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "--pair wants FT=BASE\n");
        return 2;
      }
      tuned = pair.substr(0, eq);
      base = pair.substr(eq + 1);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (!fs::exists(tuned) || !fs::exists(base)) {
    std::printf("pair not found (%s, %s): nothing to measure\n", tuned.c_str(), base.c_str());
    return 0;
  }
  shards() = load_pair(tuned, base);
  print_report();
  std::fflush(stdout);
  if (report_only || shards().empty()) return 0;
  // Rates per CPU second of the timed loop: on a shared machine wall-clock time drifts with load.
  benchmark::RegisterBenchmark("delta/encode/1thread", run_encode)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("delta/decode/1thread", run_decode)->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
