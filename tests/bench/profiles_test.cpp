// Trained methods with profiles: --train-profiles writes them, --profiles uses them for models
// they were not trained on, and a model with neither training data nor a profile is skipped.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "bench/gguf_baselines.hpp"
#include "bench/model_identity.hpp"
#include "bench/profiles.hpp"
#include "bench/runner.hpp"
#include "bench_fixture.hpp"
#include "lcl/error.hpp"

namespace lcl::bench {
namespace {

using test::TempDir;

// A GGUF holding one Q4_K tensor of `blocks` blocks with skewed nibbles.
void write_q4k_model(const std::filesystem::path& path, uint32_t seed, const std::string& name) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> data(64 * 144);
  for (size_t b = 0; b < 64; ++b) {
    uint8_t* block = data.data() + b * 144;
    for (int i = 0; i < 16; ++i) block[i] = static_cast<uint8_t>(rng());
    for (int i = 16; i < 144; ++i) {
      auto nibble = [&] {
        return static_cast<uint8_t>(std::min<uint32_t>(15, (rng() % 8) + (rng() % 9)));
      };
      block[i] = static_cast<uint8_t>(nibble() | nibble() << 4);
    }
  }
  test::GgufBuilder gguf;
  gguf.kv_string("general.name", name);
  gguf.tensor({"blk.0.ffn_up.weight", 12, {256, 64}, data});
  test::write_file(path, gguf.build().bytes);
}

BenchOptions mixture_options(const std::filesystem::path& corpus,
                             const std::filesystem::path& out) {
  BenchOptions options;
  options.corpus_dirs = {corpus};
  options.methods = {"qb_mixture_k4"};
  options.out = out;
  options.threads = 2;
  options.tool_version = "test";
  return options;
}

TEST(Profiles, MixtureProfileSavesAndLoads) {
  TempDir dir;
  write_q4k_model(dir / "m" / "a.gguf", 1, "a");
  auto methods = gguf_baseline_methods();
  Method& mixture = *methods[1];
  ASSERT_EQ(mixture.name(), "qb_mixture_k4");
  EXPECT_THROW(mixture.save_profile(), Error);  // nothing learned yet
  auto options = mixture_options(dir.path(), dir / "p");
  auto written = train_profiles(options, dir / "profiles");
  ASSERT_EQ(written.size(), 1u);
  StoredProfile profile = read_profile(written[0]);
  EXPECT_EQ(profile.method, "qb_mixture_k4");
  EXPECT_EQ(profile.trained_on, std::vector<std::string>{"a"});  // the name the GGUF declares
  ASSERT_EQ(profile.bytes.size(), 128u);
  mixture.load_profile(profile.bytes);
  EXPECT_EQ(mixture.save_profile(), profile.bytes);
  EXPECT_EQ(mixture.profile_bytes(), 128u);
  // Not a profile: a table with a zero, a wrong sum, a wrong length.
  auto bad = profile.bytes;
  bad[0] = bad[1] = 0;
  EXPECT_THROW(mixture.load_profile(bad), Error);
  EXPECT_THROW(mixture.load_profile(std::span(profile.bytes).first(100)), Error);
  std::ofstream(dir / "broken.profile.json") << "{\"method\": 1}";
  EXPECT_THROW(read_profile(dir / "broken.profile.json"), Error);
}

TEST(Profiles, SkippedWithoutDataMeasuredWithAProfileOfOtherModels) {
  TempDir dir;
  // The training corpus: two models; the measured corpus: a third one alone.
  write_q4k_model(dir / "train" / "x" / "x.gguf", 2, "x");
  write_q4k_model(dir / "train" / "y" / "y.gguf", 3, "y");
  write_q4k_model(dir / "held" / "z" / "z.gguf", 4, "z");

  // Alone, z has nothing to learn from: skipped rows, no failure.
  auto report = run_bench(mixture_options(dir / "held", dir / "none.jsonl.zst"));
  EXPECT_EQ(report.roundtrip_failures, 0u);
  EXPECT_EQ(report.skipped, 1u);
  auto rows = read_results(dir / "none.jsonl.zst");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].skipped.find("no profile"), std::string::npos);

  // A profile trained on x and y measures z, and its bytes are charged.
  ASSERT_EQ(train_profiles(mixture_options(dir / "train", dir / "unused"), dir / "profiles").size(),
            1u);
  auto options = mixture_options(dir / "held", dir / "with.jsonl.zst");
  options.profiles_dir = dir / "profiles";
  report = run_bench(options);
  EXPECT_EQ(report.skipped, 0u);
  EXPECT_EQ(report.roundtrip_failures, 0u);
  rows = read_results(options.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].roundtrip_ok) << rows[0].error;
  EXPECT_EQ(rows[0].profile_bytes, 128u);

  // On the training corpus the profile is in-sample: each model is measured by a profile trained
  // on the other model instead (the model-level split holds).
  options = mixture_options(dir / "train", dir / "train.jsonl.zst");
  options.profiles_dir = dir / "profiles";
  report = run_bench(options);
  EXPECT_EQ(report.skipped, 0u);
  for (const auto& row : read_results(options.out)) EXPECT_TRUE(row.roundtrip_ok) << row.error;
}

TEST(Profiles, ARenamedCopyOfATrainingModelIsInSample) {
  TempDir dir;
  write_q4k_model(dir / "train" / "x" / "x.gguf", 2, "x");
  write_q4k_model(dir / "train" / "y" / "y.gguf", 3, "y");
  // The same tensor bytes as x under another folder, file and declared name.
  write_q4k_model(dir / "copy" / "w" / "w.gguf", 2, "w");
  ASSERT_EQ(train_profiles(mixture_options(dir / "train", dir / "unused"), dir / "profiles").size(),
            1u);
  EXPECT_EQ(read_profile(profile_path(dir / "profiles", "qb_mixture_k4")).trained_on_tensors.size(),
            2u);
  auto options = mixture_options(dir / "copy", dir / "copy.jsonl.zst");
  options.profiles_dir = dir / "profiles";
  auto report = run_bench(options);
  EXPECT_EQ(report.skipped, 1u);  // not measured with a profile that saw its weights
  auto rows = read_results(options.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].skipped.find("trained on this model"), std::string::npos);
}

TEST(ModelIdentity, FoldersMergeByDeclaredNamesAndExplicitMapWins) {
  std::vector<ModelFolder> folders = {{"llama-7b", {}}, {"llama-7b-gguf", {}}, {"llama-7b-ft", {}},
                                      {"other", {}},    {"x-gguf", {}},        {"x-hf", {}}};
  std::map<std::string, std::vector<std::string>> declared = {
      {"llama-7b-gguf", {"llama-7b"}}, {"x-gguf", {"x"}}, {"x-hf", {"x"}}};
  auto models = resolve_models(folders, declared, {});
  EXPECT_EQ(models["llama-7b"], "llama-7b");
  EXPECT_EQ(models["llama-7b-gguf"], "llama-7b");   // declares the safetensors folder's name
  EXPECT_EQ(models["llama-7b-ft"], "llama-7b-ft");  // a fine-tune is another model
  EXPECT_EQ(models["other"], "other");
  EXPECT_EQ(models["x-gguf"], models["x-hf"]);  // both declare "x"
  EXPECT_EQ(models["x-gguf"], "x");             // named after what the weights declare
  models = resolve_models(folders, declared, {{"llama-7b-gguf", "separate"}, {"other", "x"}});
  EXPECT_EQ(models["llama-7b-gguf"], "separate");
  EXPECT_EQ(models["llama-7b"], "llama-7b");
  EXPECT_EQ(models["other"], "x");
}

TEST(ModelIdentity, ScanMergesAGgufFolderWithItsSafetensorsFolder) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  write_q4k_model(dir / "corpus" / "model-a-gguf" / "a.gguf", 5, "model-a");
  auto files = scan_corpus({dir / "corpus"});
  ASSERT_EQ(files.size(), 4u);
  size_t in_a = 0;
  for (const auto& f : files)
    if (f.model == "model-a") {
      ++in_a;
      if (f.path.extension() == ".gguf") {
        EXPECT_EQ(f.label, "model-a-gguf/a.gguf");
      } else {
        EXPECT_EQ(f.label, "model.safetensors");
      }
    }
  EXPECT_EQ(in_a, 2u);
  std::ofstream(dir / "map.txt") << "# folder model\nmodel-a-gguf  quantized-a\n";
  auto map = read_model_map(dir / "map.txt");
  files = scan_corpus({dir / "corpus"}, map);
  for (const auto& f : files) {
    if (f.path.filename() == "a.gguf") {
      EXPECT_EQ(f.model, "quantized-a");
    }
  }
  std::ofstream(dir / "bad.txt") << "one two three\n";
  EXPECT_THROW(read_model_map(dir / "bad.txt"), Error);
}

}  // namespace
}  // namespace lcl::bench
