// FP8 tensors: the fp8 codec against the order-0 byte bound, with encode / decode speed, and the
// float codec on the bf16 use-lite model as the reference case of the same run (this machine's
// speed drifts with load). Prints a report first (sizes, ratios, bounds; deterministic), then
// runs the timed Google Benchmark cases (MB/s of original bytes, one thread).
// Models: use-lite-fp8 (E4M3, 128x128 block scales) from the corpus, plus every safetensors file
// named in LCL_FP8_FILES (colon-separated; e.g. E5M2 files written by
// tools/convert_float_dtype.py e5m2).
//
//   LCL_FP8_FILES=/dev/shm/e5m2.safetensors ./build/release/bench/bench_fp8
//   --benchmark_min_time=0.5s
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "codecs/float/float_codec.hpp"
#include "codecs/float/float_coder.hpp"
#include "codecs/fp8/fp8_codec.hpp"
#include "entropy/rans.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"
#include "report_flags.hpp"

namespace {

using namespace lcl;

struct Chunk {
  TensorInfo info;
  std::vector<uint8_t> bytes;
};

struct Model {
  std::string name;
  const Codec* codec;
  std::vector<Chunk> chunks;
  uint64_t bytes = 0;
};

constexpr uint64_t kChunkSize = 4u << 20;
constexpr uint64_t kMinTensorBytes = 4096;

// The tensors `codec` takes, cut like the planner cuts them (even pieces of at most 4 MiB).
Model load(const std::string& name, const std::filesystem::path& path, const Codec& codec) {
  Model model{name, &codec, {}, 0};
  const Layout layout = read_layout(path);
  FileSource source(path);
  for (const Region& r : layout.regions) {
    if (r.kind != RegionKind::kTensor || r.size < kMinTensorBytes) continue;
    if (!codec.accepts(r.tensor.type)) continue;
    const uint64_t element = find_type(r.tensor.type)->block_bytes;
    const uint64_t elements = r.size / element;
    const uint64_t per_chunk = kChunkSize / element;
    const uint64_t pieces = (elements + per_chunk - 1) / per_chunk;
    uint64_t offset = r.offset;
    for (uint64_t i = 0; i < pieces; ++i) {
      const uint64_t n = (elements / pieces + (i < elements % pieces ? 1 : 0)) * element;
      Chunk c{r.tensor, std::vector<uint8_t>(n)};
      source.read(offset, c.bytes);
      offset += n;
      model.bytes += n;
      model.chunks.push_back(std::move(c));
    }
  }
  return model;
}

std::vector<Model>& models() {
  static std::vector<Model> list = [] {
    std::vector<Model> out;
    const std::filesystem::path corpus = LCL_CORPUS_DIR;
    if (std::filesystem::exists(corpus)) {
      out.push_back(
          load("use-lite-fp8", corpus / "use-lite" / "use-lite-fp8.safetensors", fp8_codec()));
      out.push_back(load("reference:use-lite-bf16",
                         corpus / "use-lite" / "use-lite-bf16.safetensors", float_codec()));
    }
    auto add = [&](const char* variable, const Codec& codec) {
      const char* extra = std::getenv(variable);
      if (!extra) return;
      std::stringstream list_of(extra);
      for (std::string path; std::getline(list_of, path, ':');)
        if (!path.empty())
          out.push_back(load(std::filesystem::path(path).filename().string(), path, codec));
    };
    add("LCL_FP8_FILES", fp8_codec());
    add("LCL_F16_FILES", float_codec());
    return out;
  }();
  return list;
}

std::vector<uint8_t> encode(const Model& m, const Chunk& c) {
  EncodeContext context;
  context.type = c.info.type;
  std::vector<uint8_t> payload;
  m.codec->encode(c.bytes, context, payload);
  return payload;
}

// The payload of a float chunk as version 2 alone would code it (the encoder before version 3).
std::vector<uint8_t> encode_version2(const Chunk& c) {
  std::vector<uint8_t> payload;
  float_format::FloatModelOptions options;
  options.take_low_bits = false;
  float_format::encode_floats(c.bytes, *float_format::layout_of_type(c.info.type), payload,
                              options);
  return payload;
}

bool per_tensor = false;

// Sizes and bounds; exits on any roundtrip mismatch.
void report() {
  std::printf("%-40s %12s %9s %9s %8s %9s %8s\n", "model (tensors >= 4 KiB)", "bytes", "bound",
              "ratio", "of bound", "v2 ratio", "v2 of b.");
  for (const Model& m : models()) {
    const bool is_float = m.codec == &float_codec();
    double bound_bytes = 0, payload_bytes = 0, v2_bytes = 0;
    for (const Chunk& c : m.chunks) {
      // Order-0 entropy of the chunk's elements (bytes for fp8, 16-bit values otherwise: the
      // whole element for bf16 / fp16, the high half for fp32).
      const size_t width = find_type(c.info.type)->block_bytes;
      std::vector<uint64_t> counts(width == 1 ? 256 : 65536, 0);
      for (size_t i = 0; i + width <= c.bytes.size(); i += width)
        ++counts[width == 1 ? c.bytes[i] : c.bytes[i + width - 2] | c.bytes[i + width - 1] << 8];
      const double bound = entropy::entropy_bits(counts) / 8;
      bound_bytes += bound;
      const auto payload = encode(m, c);
      std::vector<uint8_t> decoded(c.bytes.size());
      m.codec->decode(payload, decoded);
      if (decoded != c.bytes) {
        std::fprintf(stderr, "roundtrip mismatch in %s\n", c.info.name.c_str());
        std::exit(1);
      }
      payload_bytes += static_cast<double>(payload.size());
      const double v2 = is_float ? static_cast<double>(encode_version2(c).size()) : 0;
      v2_bytes += v2;
      if (per_tensor && c.bytes.size() >= (1u << 20))
        std::printf("  %-38s %12zu %9.5f %9.5f %7.3f%% %9.5f %7.3f%%\n", c.info.name.c_str(),
                    c.bytes.size(), c.bytes.size() / bound, c.bytes.size() / double(payload.size()),
                    100 * bound / double(payload.size()), is_float ? c.bytes.size() / v2 : 0.0,
                    is_float ? 100 * bound / v2 : 0.0);
    }
    const double bytes = static_cast<double>(m.bytes);
    std::printf("%-40s %12llu %9.5f %9.5f %7.3f%% %9.5f %7.3f%%\n", m.name.c_str(),
                static_cast<unsigned long long>(m.bytes), bytes / bound_bytes,
                bytes / payload_bytes, 100.0 * bound_bytes / payload_bytes,
                is_float ? bytes / v2_bytes : 0.0, is_float ? 100.0 * bound_bytes / v2_bytes : 0.0);
  }
}

void BM_Encode(benchmark::State& state, const Model* m) {
  for (auto _ : state)
    for (const Chunk& c : m->chunks) benchmark::DoNotOptimize(encode(*m, c));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * m->bytes));
}

void BM_Decode(benchmark::State& state, const Model* m) {
  std::vector<std::vector<uint8_t>> payloads;
  for (const Chunk& c : m->chunks) payloads.push_back(encode(*m, c));
  std::vector<uint8_t> out;
  for (auto _ : state)
    for (size_t j = 0; j < payloads.size(); ++j) {
      out.resize(m->chunks[j].bytes.size());
      m->codec->decode(payloads[j], out);
      benchmark::DoNotOptimize(out.data());
    }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * m->bytes));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const auto flags = lcl::bench_tools::parse_report_flags(argc, argv);
  per_tensor = flags.per_tensor;
  const bool report_only = flags.report_only, no_report = flags.no_report;
  if (!no_report) report();
  if (report_only) return 0;
  for (const Model& m : models()) {
    benchmark::RegisterBenchmark(("encode/" + m.name).c_str(), BM_Encode, &m)->UseRealTime();
    benchmark::RegisterBenchmark(("decode/" + m.name).c_str(), BM_Decode, &m)->UseRealTime();
  }
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
