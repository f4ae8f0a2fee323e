// Speed of the built-in Llama forward pass on bytellama-25m (a 64-token generation should take a
// few seconds on one core). Needs ../shared/corpus; skips itself when absent.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "infer/llama_forward.hpp"
#include "infer/model_files.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path kCheckpoint = fs::path(LCL_CORPUS_DIR) / "bytellama-25m";

void BM_Generate64Bytellama(benchmark::State& state) {
  if (!fs::exists(kCheckpoint)) {
    state.SkipWithError("corpus not found");
    return;
  }
  using namespace lcl::infer;
  const LlamaModel model = load_llama(open_model_files(locate_model(kCheckpoint)));
  const std::vector<Token> prompt = byte_tokens(model, "import numpy as np\ndef ");
  for (auto _ : state) benchmark::DoNotOptimize(generate_greedy(model, prompt, 64));
  // Forward passes: every prompt token and all generated tokens but the last.
  state.counters["forward_per_s"] = benchmark::Counter(
      double(prompt.size() + 63) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Generate64Bytellama)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_LoadBytellamaSafetensors(benchmark::State& state) {
  if (!fs::exists(kCheckpoint)) {
    state.SkipWithError("corpus not found");
    return;
  }
  using namespace lcl::infer;
  for (auto _ : state)
    benchmark::DoNotOptimize(load_llama(open_model_files(locate_model(kCheckpoint))));
}
BENCHMARK(BM_LoadBytellamaSafetensors)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
