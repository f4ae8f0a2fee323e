// Float tensors: the float codec against its baselines on the corpus, plus the rANS design
// measurements (lanes, precision). Prints a report first (sizes, ratios, bounds; deterministic),
// then runs the timed Google Benchmark cases (encode / decode MB/s of original bytes, 1 and 2
// threads). Options besides Google Benchmark's: --per_tensor (a report line per tensor),
// --report_only (skip the timed cases), --no_report (only the timed cases).
//
//   ./build/bench/bench_float --benchmark_min_time=0.3s
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/float_baselines.hpp"
#include "codecs/float/float_codec.hpp"
#include "codecs/float/float_coder.hpp"
#include "entropy/compact_table.hpp"
#include "entropy/rans.hpp"
#include "entropy/rans_interleaved.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"
#include "report_flags.hpp"

namespace {

using namespace lcl;

// One coding unit, cut like the planner cuts float tensors (even pieces of at most 4 MiB).
struct Chunk {
  std::string tensor;
  TensorInfo info;
  std::vector<uint8_t> bytes;
};

struct Model {
  std::string name;
  std::vector<Chunk> chunks;
  uint64_t bytes = 0;
};

constexpr uint64_t kChunkSize = 4u << 20;
constexpr uint64_t kMinTensorBytes = 4096;  // smaller tensors go to zstd with the opaque bytes

void add_file(Model& model, const std::filesystem::path& path) {
  const Layout layout = read_layout(path);
  FileSource source(path);
  for (const Region& r : layout.regions) {
    if (r.kind != RegionKind::kTensor || r.size < kMinTensorBytes) continue;
    if (!float_codec().accepts(r.tensor.type)) continue;
    const uint64_t element = float_format::layout_of_type(r.tensor.type)->bytes;
    const uint64_t elements = r.size / element;
    const uint64_t per_chunk = kChunkSize / element;
    const uint64_t pieces = (elements + per_chunk - 1) / per_chunk;
    uint64_t offset = r.offset;
    for (uint64_t i = 0; i < pieces; ++i) {
      const uint64_t n = (elements / pieces + (i < elements % pieces ? 1 : 0)) * element;
      Chunk c{r.tensor.name, r.tensor, std::vector<uint8_t>(n)};
      source.read(offset, c.bytes);
      offset += n;
      model.bytes += n;
      model.chunks.push_back(std::move(c));
    }
  }
}

std::vector<Model>& models() {
  static std::vector<Model> list = [] {
    std::vector<Model> out;
    const std::filesystem::path corpus = LCL_CORPUS_DIR;
    if (!std::filesystem::exists(corpus)) return out;
    Model bytellama{"bytellama-25m", {}, 0};
    for (int shard = 1; shard <= 4; ++shard)
      add_file(bytellama, corpus / "bytellama-25m" /
                              ("model-0000" + std::to_string(shard) + "-of-00004.safetensors"));
    out.push_back(std::move(bytellama));
    Model use_lite{"use-lite-bf16", {}, 0};
    add_file(use_lite, corpus / "use-lite" / "use-lite-bf16.safetensors");
    out.push_back(std::move(use_lite));
    Model gguf{"bytellama-25m-BF16.gguf", {}, 0};
    add_file(gguf, corpus / "bytellama-25m-gguf" / "bytellama-25m-BF16.gguf");
    out.push_back(std::move(gguf));
    return out;
  }();
  return list;
}

// A method as the benchmark times it: ours through the codec interface, the baselines through
// theirs. Each benchmark thread passes its own workspace, kept across chunks as the container
// keeps one per worker.
struct Coder {
  std::string name;
  std::function<std::vector<uint8_t>(const Chunk&, Workspace&)> encode;
  std::function<void(std::span<const uint8_t>, const Chunk&, std::span<uint8_t>, Workspace&)>
      decode;
  std::function<bool(const Chunk&)> applies;
};

std::vector<Coder>& coders() {
  static std::vector<std::unique_ptr<bench::Method>> baselines = bench::float_baseline_methods();
  static std::vector<Coder> list = [] {
    std::vector<Coder> out;
    out.push_back({"lcl-float",
                   [](const Chunk& c, Workspace& workspace) {
                     EncodeContext context;
                     context.type = c.info.type;
                     std::vector<uint8_t> payload;
                     float_codec().encode(c.bytes, context, payload, workspace);
                     return payload;
                   },
                   [](std::span<const uint8_t> p, const Chunk&, std::span<uint8_t> out,
                      Workspace& workspace) { float_codec().decode(p, out, workspace); },
                   [](const Chunk&) { return true; }});
    for (const auto& m : baselines) {
      const bench::Method* method = m.get();
      out.push_back(
          {method->name(),
           [method](const Chunk& c, Workspace&) { return method->compress(c.bytes, c.info); },
           [method](std::span<const uint8_t> p, const Chunk& c, std::span<uint8_t> out,
                    Workspace&) { method->decompress(p, c.info, out); },
           [method](const Chunk& c) { return method->applies_to(c.info); }});
    }
    return out;
  }();
  return list;
}

double entropy_of(const std::vector<uint64_t>& counts) {
  return entropy::entropy_bits(counts) / 8;
}

// Bounds of a 16-bit chunk: H(u16) and the byte-marginal H(high) + H(low), in bytes. For fp32
// the 16-bit bound is H(top 16 bits) + 2 raw bytes per element (what a symbol + raw-bits coder
// can reach); the byte-marginal bound sums the four byte planes.
struct Bounds {
  double iid16 = 0, byte_marginal = 0;
};

Bounds bounds_of(const Chunk& c) {
  const uint32_t element = float_format::layout_of_type(c.info.type)->bytes;
  const uint64_t n = c.bytes.size() / element;
  std::vector<uint64_t> top16(65536, 0);
  std::vector<std::vector<uint64_t>> planes(element, std::vector<uint64_t>(256, 0));
  for (uint64_t i = 0; i < n; ++i) {
    const uint8_t* e = c.bytes.data() + i * element;
    ++top16[e[element - 1] << 8 | e[element - 2]];
    for (uint32_t b = 0; b < element; ++b) ++planes[b][e[b]];
  }
  Bounds b;
  b.iid16 = entropy_of(top16) + double(n) * (element - 2);
  for (const auto& p : planes) b.byte_marginal += entropy_of(p);
  return b;
}

void print_report(bool per_tensor) {
  std::printf("# Float codec report (sizes in bytes; ratio = original / compressed)\n");
  for (const Model& model : models()) {
    std::map<std::string, double> total;
    double iid16 = 0, marginal = 0;
    Workspace workspace;
    for (const Chunk& c : model.chunks) {
      const Bounds b = bounds_of(c);
      iid16 += b.iid16;
      marginal += b.byte_marginal;
      std::string line;
      for (Coder& coder : coders()) {
        if (!coder.applies(c)) continue;
        auto payload = coder.encode(c, workspace);
        std::vector<uint8_t> back(c.bytes.size());
        coder.decode(payload, c, back, workspace);
        if (back != c.bytes) {
          std::fprintf(stderr, "ROUNDTRIP FAILURE: %s on %s\n", coder.name.c_str(),
                       c.tensor.c_str());
          std::exit(1);
        }
        total[coder.name] += payload.size();
        line += " " + coder.name + "=" +
                std::to_string(double(c.bytes.size()) / payload.size()).substr(0, 6);
      }
      if (per_tensor)
        std::printf("  %-48s %9zu  iid16=%.5f marginal=%.5f%s\n", c.tensor.c_str(), c.bytes.size(),
                    c.bytes.size() / b.iid16, c.bytes.size() / b.byte_marginal, line.c_str());
    }
    std::printf(
        "model %-26s %10lu bytes in %zu chunks | 16-bit iid bound %.5f | byte-marginal bound "
        "%.5f\n",
        model.name.c_str(), (unsigned long)model.bytes, model.chunks.size(), model.bytes / iid16,
        model.bytes / marginal);
    for (const auto& [name, bytes] : total)
      std::printf("    %-14s %10.0f bytes  ratio %.5f  (%.3f%% above the iid bound)\n",
                  name.c_str(), bytes, model.bytes / bytes, 100 * (bytes / iid16 - 1));
  }
}

// Table-quantisation loss per precision on the first model: the coded cost of the symbols with
// the quantised table against their exact entropy, relative to the whole output (k as chosen by
// the codec at its default precision; no escapes).
void print_precision_report() {
  if (models().empty()) return;
  const Model& model = models().front();
  std::printf("# rANS probability precision on %s (k per chunk as chosen by the codec)\n",
              model.name.c_str());
  for (uint32_t p = 11; p <= 16; ++p) {
    double ideal = 0, exact_table = 0, compact_table = 0, output = 0;
    for (const Chunk& c : model.chunks) {
      const auto& layout = *float_format::layout_of_type(c.info.type);
      const uint64_t n = c.bytes.size() / layout.bytes;
      std::vector<uint64_t> top16(65536, 0);
      for (uint64_t i = 0; i < n; ++i) {
        const uint8_t* e = c.bytes.data() + i * layout.bytes;
        ++top16[e[layout.bytes - 1] << 8 | e[layout.bytes - 2]];
      }
      const uint32_t k = float_format::choose_float_model(top16, layout, n).k;
      const uint32_t bits = layout.symbol_bits(k);
      std::vector<uint64_t> counts(size_t{1} << bits, 0);
      for (size_t v = 0; v < 65536; ++v) counts[v >> (16 - bits)] += top16[v];
      size_t present = 0;
      for (uint64_t x : counts) present += x != 0;
      if (present > (size_t{1} << p)) continue;
      auto cost = [&](const entropy::FrequencyTable& t) {
        double b = 0;
        for (size_t s = 0; s < counts.size(); ++s)
          if (counts[s]) b += counts[s] * (p - std::log2(t.freq[s]));
        return b / 8;
      };
      ideal += entropy_of(counts);
      exact_table += cost(entropy::normalize_frequencies(counts, p));
      compact_table += cost(entropy::make_compact_table(counts, p).table);
      output += entropy_of(counts) + double(n) * layout.raw_bits(k) / 8;
    }
    std::printf(
        "  precision %2u: quantisation loss %.4f%% (exact table) %.4f%% (compact table) of "
        "output\n",
        p, 100 * (exact_table - ideal) / output, 100 * (compact_table - ideal) / output);
  }
}

// ---- timed cases ----

void run_encode(benchmark::State& state, const Model* model, const Coder* coder) {
  const size_t threads = state.threads(), me = state.thread_index();
  uint64_t bytes = 0;
  Workspace workspace;
  for (auto _ : state) {
    for (size_t i = me; i < model->chunks.size(); i += threads) {
      const Chunk& c = model->chunks[i];
      if (!coder->applies(c)) continue;
      auto payload = coder->encode(c, workspace);
      benchmark::DoNotOptimize(payload.data());
      bytes += c.bytes.size();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void run_decode(benchmark::State& state, const Model* model, const Coder* coder) {
  const size_t threads = state.threads(), me = state.thread_index();
  std::vector<std::vector<uint8_t>> payloads;
  std::vector<std::vector<uint8_t>> outputs;
  std::vector<size_t> mine;
  Workspace workspace;
  for (size_t i = me; i < model->chunks.size(); i += threads) {
    if (!coder->applies(model->chunks[i])) continue;
    mine.push_back(i);
    payloads.push_back(coder->encode(model->chunks[i], workspace));
    outputs.emplace_back(model->chunks[i].bytes.size());
  }
  uint64_t bytes = 0;
  for (auto _ : state) {
    for (size_t j = 0; j < mine.size(); ++j) {
      coder->decode(payloads[j], model->chunks[mine[j]], outputs[j], workspace);
      benchmark::DoNotOptimize(outputs[j].data());
      bytes += outputs[j].size();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// The interleaving measurement: the same symbol stream (bytellama k = 3 symbols, precision 14)
// coded with 4, 8 and 16 states.
struct LaneData {
  std::vector<uint16_t> symbols;
  entropy::FrequencyTable table;
};

const LaneData& lane_data() {
  static LaneData data = [] {
    LaneData d;
    if (!models().empty())
      for (const Chunk& c : models().front().chunks)
        for (size_t i = 0; i + 1 < c.bytes.size(); i += 2)
          d.symbols.push_back(static_cast<uint16_t>((c.bytes[i + 1] << 8 | c.bytes[i]) >> 4));
    std::vector<uint64_t> counts(1 << 12, 0);
    for (uint16_t s : d.symbols) ++counts[s];
    d.table = entropy::normalize_frequencies(counts, 14);
    return d;
  }();
  return data;
}

template <int Lanes>
void BM_RansEncodeLanes(benchmark::State& state) {
  const LaneData& d = lane_data();
  const entropy::EncoderTable t = entropy::make_encoder_table(d.table);
  std::vector<uint8_t> out;
  for (auto _ : state) {
    out.clear();
    entropy::encode_interleaved<Lanes>(
        d.symbols.size(),
        [&](size_t i) -> const entropy::EncoderSymbol& { return t.symbols[d.symbols[i]]; }, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.symbols.size()));
}

template <int Lanes>
void BM_RansDecodeLanes(benchmark::State& state) {
  const LaneData& d = lane_data();
  const entropy::EncoderTable t = entropy::make_encoder_table(d.table);
  std::vector<uint8_t> stream;
  entropy::encode_interleaved<Lanes>(
      d.symbols.size(),
      [&](size_t i) -> const entropy::EncoderSymbol& { return t.symbols[d.symbols[i]]; }, stream);
  const entropy::DecoderTable dt = entropy::make_decoder_table(d.table);
  std::vector<uint16_t> out(d.symbols.size());
  for (auto _ : state) {
    uint16_t* o = out.data();
    const entropy::DecoderSlot* slots = dt.slots.data();
    entropy::decode_interleaved<Lanes>(stream, out.size(), [=](size_t i, uint32_t& x) {
      o[i] = entropy::decode_symbol(x, slots, 14);
    });
    benchmark::DoNotOptimize(out.data());
  }
  if (out != d.symbols) state.SkipWithError("lane roundtrip failed");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * d.symbols.size()));
}

void register_cases() {
  for (const Model& model : models())
    for (const Coder& coder : coders())
      for (int threads : {1, 2}) {
        benchmark::RegisterBenchmark(("encode/" + coder.name + "/" + model.name).c_str(),
                                     run_encode, &model, &coder)
            ->Threads(threads)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("decode/" + coder.name + "/" + model.name).c_str(),
                                     run_decode, &model, &coder)
            ->Threads(threads)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
  if (models().empty()) return;
  benchmark::RegisterBenchmark("rans_encode/lanes:4", BM_RansEncodeLanes<4>)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("rans_encode/lanes:8", BM_RansEncodeLanes<8>)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("rans_encode/lanes:16", BM_RansEncodeLanes<16>)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("rans_decode/lanes:4", BM_RansDecodeLanes<4>)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("rans_decode/lanes:8", BM_RansDecodeLanes<8>)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("rans_decode/lanes:16", BM_RansDecodeLanes<16>)
      ->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const auto [per_tensor, report_only, no_report] =
      lcl::bench_tools::parse_report_flags(argc, argv);
  if (models().empty()) {
    std::printf("corpus not found at %s: nothing to measure\n", LCL_CORPUS_DIR);
    return 0;
  }
  if (!no_report) {
    print_report(per_tensor);
    print_precision_report();
  }
  std::fflush(stdout);
  if (report_only) return 0;
  register_cases();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
