// Quantized GGUF codecs on the corpus: tensor-byte ratio and single-thread encode/decode speed
// per (file, type), chunked as the planner chunks the file (lcl::plan_chunks: a large tensor in
// even pieces of at most 4 MiB; small tensors of one type in a run together, as the segments codec
// codes them; the bench keeps every tensor of the type, also one that the segments codec would
// move to zstd because zstd codes it better).
// Counters: ratio = original / coded bytes (tables included); MB/s via bytes_per_second
// (original bytes). The encode_file / decode_file cases run whole GGUF files the same way.
// Run: ./build/bench/bench_quant --benchmark_min_time=0.2s
#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "codecs/chunk_encoder.hpp"
#include "codecs/registry.hpp"
#include "lcl/codec.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"

namespace {

struct Chunk {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> payload;
};

struct Workload {
  const lcl::Codec* codec = nullptr;
  lcl::EncodeContext context;
  std::vector<Chunk> chunks;
  uint64_t original = 0;
  uint64_t coded = 0;
};

// All tensors of `type` in `file`, cut into block-aligned chunks and encoded once.
Workload load(const std::filesystem::path& file, lcl::TypeId type) {
  Workload w;
  for (const lcl::Codec* c : lcl::all_codecs())
    if (c->id() >= 2 && c->accepts(type)) {
      w.codec = c;
      break;
    }
  if (!w.codec || !std::filesystem::exists(file)) return w;
  lcl::FileSource source(file);
  const lcl::Layout layout = lcl::read_layout(source);
  w.context.type = type;
  // The planner's chunks: a tensor's own chunks, and in a segments chunk (a run of small tensors)
  // the tensors of this type together, which is what the segments codec gives the type's codec.
  for (const lcl::ChunkPlan& plan : lcl::plan_chunks(layout, lcl::PlanOptions{})) {
    Chunk chunk;
    if (plan.codec == w.codec->id() && plan.context.type == type) {
      chunk.bytes.resize(plan.size);
      source.read(plan.offset, chunk.bytes);
    } else if (plan.codec == lcl::codec_id::kSegments) {
      uint64_t at = plan.offset;
      for (const lcl::Segment& piece : plan.context.segments) {
        if (piece.type == type) {
          const size_t end = chunk.bytes.size();
          chunk.bytes.resize(end + piece.size);
          source.read(at, std::span<uint8_t>(chunk.bytes).subspan(end));
        }
        at += piece.size;
      }
    }
    if (chunk.bytes.empty()) continue;
    w.codec->encode(chunk.bytes, w.context, chunk.payload);
    w.original += chunk.bytes.size();
    w.coded += chunk.payload.size();
    w.chunks.push_back(std::move(chunk));
  }
  return w;
}

const Workload& workload(const std::string& file, lcl::TypeId type) {
  static std::map<std::pair<std::string, lcl::TypeId>, Workload> cache;
  auto key = std::make_pair(file, type);
  auto it = cache.find(key);
  if (it == cache.end())
    it = cache.emplace(key, load(std::filesystem::path(LCL_CORPUS_DIR) / file, type)).first;
  return it->second;
}

// Counters of a run over a workload of `original` bytes coded into `coded`.
void report(benchmark::State& state, uint64_t original, uint64_t coded) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * original));
  state.counters["ratio"] = static_cast<double>(original) / static_cast<double>(coded);
  state.counters["MiB"] = static_cast<double>(original) / (1 << 20);
}

void encode(benchmark::State& state, const std::string& file, lcl::TypeId type) {
  const Workload& w = workload(file, type);
  if (w.chunks.empty()) return state.SkipWithError("corpus file or tensors of this type not found");
  std::vector<uint8_t> payload;
  lcl::Workspace workspace;  // kept across chunks, as the compressor's workers keep theirs
  for (auto _ : state)
    for (const Chunk& c : w.chunks) {
      payload.clear();
      w.codec->encode(c.bytes, w.context, payload, workspace);
      benchmark::DoNotOptimize(payload.data());
    }
  report(state, w.original, w.coded);
}

void decode(benchmark::State& state, const std::string& file, lcl::TypeId type) {
  const Workload& w = workload(file, type);
  if (w.chunks.empty()) return state.SkipWithError("corpus file or tensors of this type not found");
  std::vector<uint8_t> out;
  lcl::Workspace workspace;
  for (auto _ : state)
    for (const Chunk& c : w.chunks) {
      out.resize(c.bytes.size());
      w.codec->decode(c.payload, out, workspace);
      benchmark::DoNotOptimize(out.data());
    }
  report(state, w.original, w.coded);
}

// Whole files: every chunk as `lcl compress` plans and codes it (encode_chunk_payload, the
// compressor's own routing), decoded with the codec that coded it. Ratio = file bytes / payload
// bytes (the container's index, about 0.01%, not counted); MB/s over the file's bytes. What the
// CLI adds on top is reading and writing files and checksums.
struct FileChunk {
  std::vector<uint8_t> bytes, payload;
  const lcl::Codec* routed = nullptr;
  lcl::EncodeContext context;
  const lcl::Codec* coded_by = nullptr;
};

struct FileWorkload {
  std::vector<FileChunk> chunks;
  uint64_t original = 0, coded = 0;
};

const FileWorkload& file_workload(const std::string& name) {
  static std::map<std::string, FileWorkload> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  FileWorkload w;
  const auto file = std::filesystem::path(LCL_CORPUS_DIR) / name;
  if (std::filesystem::exists(file)) {
    lcl::FileSource source(file);
    const lcl::Layout layout = lcl::read_layout(source);
    lcl::Workspace workspace;
    for (const lcl::ChunkPlan& plan : lcl::plan_chunks(layout, lcl::PlanOptions{})) {
      FileChunk c;
      c.bytes.resize(plan.size);
      source.read(plan.offset, c.bytes);
      c.routed = lcl::find_codec(plan.codec);
      c.context = plan.context;
      c.coded_by = lcl::find_codec(
          lcl::encode_chunk_payload(c.bytes, *c.routed, c.context, c.payload, workspace));
      w.original += c.bytes.size();
      // A stored chunk's payload is the chunk itself.
      w.coded += c.coded_by->id() == lcl::codec_id::kStore ? c.bytes.size() : c.payload.size();
      w.chunks.push_back(std::move(c));
    }
  }
  return cache.emplace(name, std::move(w)).first->second;
}

void encode_file(benchmark::State& state, const std::string& name) {
  const FileWorkload& w = file_workload(name);
  if (w.chunks.empty()) return state.SkipWithError("corpus file not found");
  std::vector<uint8_t> payload;
  lcl::Workspace workspace;
  for (auto _ : state)
    for (const FileChunk& c : w.chunks) {
      benchmark::DoNotOptimize(
          lcl::encode_chunk_payload(c.bytes, *c.routed, c.context, payload, workspace));
      benchmark::DoNotOptimize(payload.data());
    }
  report(state, w.original, w.coded);
}

void decode_file(benchmark::State& state, const std::string& name) {
  const FileWorkload& w = file_workload(name);
  if (w.chunks.empty()) return state.SkipWithError("corpus file not found");
  std::vector<uint8_t> out;
  lcl::Workspace workspace;
  for (auto _ : state)
    for (const FileChunk& c : w.chunks) {
      out.resize(c.bytes.size());
      if (c.coded_by->id() == lcl::codec_id::kStore) {
        std::copy(c.bytes.begin(), c.bytes.end(), out.begin());
      } else {
        c.coded_by->decode(c.payload, out, workspace);
      }
      benchmark::DoNotOptimize(out.data());
    }
  report(state, w.original, w.coded);
}

const std::string kQ4KM = "bytellama-25m-gguf/bytellama-25m-Q4_K_M.gguf";
const std::string kQ6K = "bytellama-25m-gguf/bytellama-25m-Q6_K.gguf";
const std::string kQ8 = "bytellama-25m-gguf/bytellama-25m-Q8_0.gguf";
const std::string kQ5KM = "bytellama-25m-gguf/bytellama-25m-Q5_K_M.gguf";
const std::string kQ3K = "bytellama-25m-gguf/bytellama-25m-Q3_K.gguf";
const std::string kMXFP4 = "bytellama-25m-gguf/bytellama-25m-MXFP4.gguf";
const std::string kUse = "use-lite/use-lite-Q4_K_M.gguf";
const std::string kStories = "stories260K/stories260K-Q4_K_M.gguf";

BENCHMARK_CAPTURE(encode_file, bytellama_Q4_K_M, kQ4KM)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_file, bytellama_Q4_K_M, kQ4KM)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode_file, use_lite_Q4_K_M, kUse)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode_file, use_lite_Q4_K_M, kUse)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, bytellama_Q4_K_M_q4_K, kQ4KM, lcl::type::kQ4_K)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, bytellama_Q4_K_M_q4_K, kQ4KM, lcl::type::kQ4_K)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, bytellama_Q4_K_M_q6_K, kQ4KM, lcl::type::kQ6_K)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, bytellama_Q4_K_M_q6_K, kQ4KM, lcl::type::kQ6_K)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, bytellama_Q6_K_q6_K, kQ6K, lcl::type::kQ6_K)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, bytellama_Q6_K_q6_K, kQ6K, lcl::type::kQ6_K)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, bytellama_Q8_0_q8_0, kQ8, lcl::type::kQ8_0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, bytellama_Q8_0_q8_0, kQ8, lcl::type::kQ8_0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, bytellama_Q5_K_M_q5_K, kQ5KM, lcl::type::kQ5_K)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, bytellama_Q5_K_M_q5_K, kQ5KM, lcl::type::kQ5_K)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, bytellama_Q3_K_q3_K, kQ3K, lcl::type::kQ3_K)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, bytellama_Q3_K_q3_K, kQ3K, lcl::type::kQ3_K)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, bytellama_MXFP4_mxfp4, kMXFP4, lcl::type::kMXFP4)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, bytellama_MXFP4_mxfp4, kMXFP4, lcl::type::kMXFP4)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, use_lite_q4_K, kUse, lcl::type::kQ4_K)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, use_lite_q4_K, kUse, lcl::type::kQ4_K)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, use_lite_q6_K, kUse, lcl::type::kQ6_K)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, use_lite_q6_K, kUse, lcl::type::kQ6_K)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, stories_q5_0, kStories, lcl::type::kQ5_0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, stories_q5_0, kStories, lcl::type::kQ5_0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(encode, stories_q8_0, kStories, lcl::type::kQ8_0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(decode, stories_q8_0, kStories, lcl::type::kQ8_0)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
