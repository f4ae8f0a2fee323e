#include "bench/runner.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "bench/generic_methods.hpp"
#include "bench/jsonl_zstd.hpp"
#include "bench_fixture.hpp"
#include "lcl/error.hpp"

namespace lcl::bench {
namespace {

using test::TempDir;

BenchOptions tiny_options(const TempDir& dir, const std::string& out) {
  BenchOptions options;
  options.corpus_dirs = {dir / "corpus"};
  options.methods = {"lcl", "zstd-3", "xz-9", "file-zstd-19"};
  options.out = dir / out;
  options.threads = 2;
  options.tool_version = "test";
  return options;
}

TEST(Bench, ScanFindsOneModelPerSubdirectory) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  auto files = scan_corpus({dir / "corpus"});
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].model, "model-a");
  EXPECT_EQ(files[1].model, "model-b");
  EXPECT_EQ(files[2].model, "model-b");
}

TEST(Bench, EveryTensorAndMethodGetsAVerifiedRow) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  auto report = run_bench(tiny_options(dir, "r.jsonl.zst"));
  // 3 files; tensors: 3 + 3 + 1 = 7, two tensor methods each; file-zstd-19 once per file; lcl
  // (what lcl compress writes) once per file and once per tensor (its chunks).
  EXPECT_EQ(report.rows_written, 7u * 2 + 3 + (3 + 7));
  EXPECT_EQ(report.roundtrip_failures, 0u);
  auto rows = read_results(dir / "r.jsonl.zst");
  ASSERT_EQ(rows.size(), report.rows_written);
  std::map<std::string, int> per_method;
  for (const auto& row : rows) {
    EXPECT_TRUE(row.roundtrip_ok) << row.method << " " << row.tensor << ": " << row.error;
    EXPECT_GT(row.compressed_bytes, 0u);
    EXPECT_EQ(row.tool_version, "test");
    ++per_method[row.method];
    if (row.tensor == "model.layers.1.self_attn.q_proj.weight") {
      EXPECT_EQ(row.role, "q_proj");
      EXPECT_EQ(row.layer, 1);
      EXPECT_EQ(row.dtype, "BF16");
      EXPECT_EQ(row.original_bytes, 32u * 64 * 2);
    }
    if (row.method == "file-zstd-19") {
      EXPECT_EQ(row.tensor, "");
      EXPECT_EQ(row.original_bytes,
                std::filesystem::file_size(dir / "corpus" / row.model / row.file));
    }
  }
  EXPECT_EQ(per_method["lcl"], 3 + 7);
  EXPECT_EQ(per_method["xz-9"], 7);
  EXPECT_EQ(per_method["file-zstd-19"], 3);
}

TEST(Bench, ShardsPartitionTheWorkExactly) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  std::multiset<std::string> keys;
  size_t units = 0;
  for (unsigned i = 0; i < 3; ++i) {
    auto options = tiny_options(dir, "shard" + std::to_string(i) + ".jsonl.zst");
    options.shard_index = i;
    options.shard_count = 3;
    units += run_bench(options).units_in_shard;
    for (const auto& row : read_results(options.out)) keys.insert(row.key());
  }
  run_bench(tiny_options(dir, "all.jsonl.zst"));
  std::multiset<std::string> all;
  for (const auto& row : read_results(dir / "all.jsonl.zst")) all.insert(row.key());
  EXPECT_EQ(keys, all);  // every row once, none twice
  EXPECT_EQ(units, 7u + 3u);
  // The partition is a function of the names only.
  EXPECT_EQ(shard_of("m", "f", "t", 5), shard_of("m", "f", "t", 5));
  EXPECT_EQ(shard_of("m", "f", "t", 1), 0u);
}

TEST(Bench, ResumeKeepsRowsAndSkipsTheirWork) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  auto options = tiny_options(dir, "r.jsonl.zst");
  options.methods = {"zstd-3"};
  run_bench(options);
  options.methods = {"zstd-3", "lcl"};
  options.resume = true;
  auto report = run_bench(options);
  EXPECT_EQ(report.rows_kept, 7u);
  EXPECT_EQ(report.rows_written, 10u);  // only the lcl rows are new (3 files, 7 tensors)
  auto rows = read_results(options.out);
  EXPECT_EQ(rows.size(), 17u);
  std::set<std::string> keys;
  for (const auto& row : rows) keys.insert(row.key());
  EXPECT_EQ(keys.size(), 17u);
  report = run_bench(options);
  EXPECT_EQ(report.rows_written, 0u);
  EXPECT_EQ(read_results(options.out).size(), 17u);
}

TEST(Bench, UnknownMethodIsAUsageError) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  auto options = tiny_options(dir, "r.jsonl.zst");
  options.methods = {"no-such-method"};
  try {
    run_bench(options);
    FAIL() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  }
}

// A method whose decoder gets one byte wrong: its rows must be reported, not dropped.
class FlipsOneByte final : public Method {
 public:
  std::string name() const override { return "flips"; }
  MethodScope scope() const override { return MethodScope::kTensor; }
  bool applies_to(const TensorInfo&) const override { return true; }
  std::vector<uint8_t> compress(std::span<const uint8_t> in, const TensorInfo&) const override {
    return {in.begin(), in.end()};
  }
  void decompress(std::span<const uint8_t> p, const TensorInfo&,
                  std::span<uint8_t> out) const override {
    std::copy(p.begin(), p.end(), out.begin());
    if (!out.empty()) out[out.size() / 2] ^= 1;
  }
};

// A trained method that records which models' tensors it learned from (by name prefix).
class RemembersTraining final : public Method {
 public:
  std::string name() const override { return "trained"; }
  MethodScope scope() const override { return MethodScope::kTensor; }
  bool applies_to(const TensorInfo& t) const override { return t.type == type::kBF16; }
  bool is_trained() const override { return true; }
  void train(std::span<const std::vector<uint8_t>> samples, std::span<const TensorInfo>) override {
    // The profile: one byte per training sample, so its size says how much was learned.
    profile_ = samples.size();
    first_sample_ = samples.empty() ? std::vector<uint8_t>{} : samples[0];
  }
  uint64_t profile_bytes() const override { return profile_; }
  std::vector<uint8_t> compress(std::span<const uint8_t> in, const TensorInfo&) const override {
    std::vector<uint8_t> out(in.begin(), in.end());
    // One trailer byte; 100 if the training sample is this very tensor (it must never be).
    bool seen = first_sample_.size() == in.size() &&
                std::equal(in.begin(), in.end(), first_sample_.begin());
    out.resize(out.size() + (seen ? 100 : 1), 0);
    return out;
  }
  void decompress(std::span<const uint8_t> p, const TensorInfo&,
                  std::span<uint8_t> out) const override {
    if (p.size() <= out.size()) throw_corrupt("size");
    std::copy(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(out.size()), out.begin());
  }

 private:
  uint64_t profile_ = 0;
  std::vector<uint8_t> first_sample_;
};

std::vector<std::unique_ptr<Method>> test_methods() {
  std::vector<std::unique_ptr<Method>> m;
  m.push_back(std::make_unique<FlipsOneByte>());
  m.push_back(std::make_unique<RemembersTraining>());
  m.push_back(make_zstd_method(3, MethodScope::kTensor));
  return m;
}

TEST(Bench, FailedRoundtripIsAReportedRow) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  auto options = tiny_options(dir, "r.jsonl.zst");
  options.method_factory = test_methods;
  options.methods = {"flips"};
  auto report = run_bench(options);
  EXPECT_EQ(report.roundtrip_failures, 7u);
  auto rows = read_results(options.out);
  ASSERT_EQ(rows.size(), 7u);
  for (const auto& row : rows) {
    EXPECT_FALSE(row.roundtrip_ok);
    EXPECT_NE(row.error.find("differ"), std::string::npos) << row.error;
  }
}

TEST(Bench, TrainedMethodsNeverSeeTheMeasuredModel) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  auto options = tiny_options(dir, "r.jsonl.zst");
  options.method_factory = test_methods;
  options.methods = {"trained"};
  run_bench(options);
  auto rows = read_results(options.out);
  ASSERT_EQ(rows.size(), 6u);  // the BF16 tensors of both models
  for (const auto& row : rows) {
    EXPECT_TRUE(row.roundtrip_ok);
    // Each model is measured by an instance trained on the other model's 3 BF16 tensors.
    EXPECT_EQ(row.profile_bytes, 3u) << row.model;
    EXPECT_EQ(row.compressed_bytes, row.original_bytes + 1);
  }
}

// A trained method that cannot learn anything from the other models.
class CannotTrain final : public Method {
 public:
  std::string name() const override { return "cannot-train"; }
  MethodScope scope() const override { return MethodScope::kTensor; }
  bool applies_to(const TensorInfo& t) const override { return t.type == type::kF32; }
  bool is_trained() const override { return true; }
  void train(std::span<const std::vector<uint8_t>> samples, std::span<const TensorInfo>) override {
    if (samples.empty()) throw Error(ErrorKind::kUnsupported, "no F32 training data");
  }
  std::vector<uint8_t> compress(std::span<const uint8_t> in, const TensorInfo&) const override {
    return {in.begin(), in.end()};
  }
  void decompress(std::span<const uint8_t> p, const TensorInfo&,
                  std::span<uint8_t> out) const override {
    std::copy(p.begin(), p.end(), out.begin());
  }
};

TEST(Bench, NoTrainingDataGivesSkippedRowsNotFailures) {
  TempDir dir;
  test::write_tiny_corpus(dir / "corpus");
  auto options = tiny_options(dir, "r.jsonl.zst");
  options.method_factory = [] {
    std::vector<std::unique_ptr<Method>> m;
    m.push_back(std::make_unique<CannotTrain>());
    m.push_back(make_zstd_method(3, MethodScope::kTensor));
    return m;
  };
  options.methods = {"cannot-train", "zstd-3"};
  auto report = run_bench(options);
  // Only model-b has an F32 tensor and model-a has none to learn from, and there is no profile:
  // one skipped row, no failure.
  EXPECT_EQ(report.roundtrip_failures, 0u);
  EXPECT_EQ(report.skipped, 1u);
  size_t skipped = 0;
  for (const auto& row : read_results(options.out))
    if (!row.skipped.empty()) {
      ++skipped;
      EXPECT_EQ(row.method, "cannot-train");
      EXPECT_EQ(row.compressed_bytes, 0u);
      EXPECT_NE(row.skipped.find("no profile"), std::string::npos) << row.skipped;
    } else {
      EXPECT_TRUE(row.roundtrip_ok) << row.method;
    }
  EXPECT_EQ(skipped, 1u);
}

TEST(Bench, MeasureTurnsExceptionsIntoFailedRows) {
  class Throws final : public Method {
   public:
    std::string name() const override { return "throws"; }
    MethodScope scope() const override { return MethodScope::kTensor; }
    bool applies_to(const TensorInfo&) const override { return true; }
    std::vector<uint8_t> compress(std::span<const uint8_t>, const TensorInfo&) const override {
      throw Error(ErrorKind::kUnsupported, "cannot do this");
    }
    void decompress(std::span<const uint8_t>, const TensorInfo&,
                    std::span<uint8_t>) const override {}
  } method;
  std::vector<uint8_t> data(10, 1);
  auto row = measure(method, data, TensorInfo{});
  EXPECT_FALSE(row.roundtrip_ok);
  EXPECT_EQ(row.error, "cannot do this");
  EXPECT_EQ(row.original_bytes, 10u);
}

TEST(Bench, GenericMethodsRoundtripEdgeCases) {
  std::vector<std::unique_ptr<Method>> methods;
  methods.push_back(make_lcl_method());
  methods.push_back(make_zstd_method(19, MethodScope::kTensor));
  methods.push_back(make_xz_method());
  methods.push_back(make_xz_method(MethodScope::kFile));
  TensorInfo bf16{"t", type::kBF16, {5}};
  for (const auto& m : methods) {
    for (size_t size : {0u, 1u, 10u, 5000u}) {
      auto data = test::bf16_values(size / 2, 3);
      data.resize(size, 7);
      auto row = measure(*m, data, bf16);
      EXPECT_TRUE(row.roundtrip_ok) << m->name() << " size " << size << ": " << row.error;
    }
    // A damaged payload must throw lcl::Error (or decode to different bytes), never crash.
    auto data = test::bf16_values(2000, 4);
    auto payload = m->compress(data, bf16);
    std::vector<uint8_t> out(data.size());
    for (size_t cut : {size_t{0}, payload.size() / 2, payload.size() - 1}) {
      std::span<const uint8_t> truncated(payload.data(), cut);
      EXPECT_THROW(m->decompress(truncated, bf16, out), Error) << m->name() << " cut " << cut;
    }
  }
}

TEST(JsonlZstd, TruncatedAndConcatenatedFiles) {
  TempDir dir;
  {
    JsonlZstdWriter w(dir / "a.zst");
    w.write_line("{\"n\":1}");
    w.write_line("{\"n\":2}");
    w.flush();
    w.write_line("{\"n\":3}");
  }
  auto a = read_jsonl_zstd(dir / "a.zst");
  EXPECT_EQ(a.lines, (std::vector<std::string>{"{\"n\":1}", "{\"n\":2}", "{\"n\":3}"}));
  EXPECT_FALSE(a.truncated);
  // Cut the file inside its last block: the flushed lines survive.
  auto size = std::filesystem::file_size(dir / "a.zst");
  std::filesystem::copy_file(dir / "a.zst", dir / "cut.zst");
  std::filesystem::resize_file(dir / "cut.zst", size - 6);
  auto cut = read_jsonl_zstd(dir / "cut.zst");
  EXPECT_TRUE(cut.truncated);
  ASSERT_GE(cut.lines.size(), 2u);
  EXPECT_EQ(cut.lines[0], "{\"n\":1}");
  // Two files joined with cat read as one.
  {
    std::ofstream joined(dir / "joined.zst", std::ios::binary);
    for (int i = 0; i < 2; ++i) {
      std::ifstream part(dir / "a.zst", std::ios::binary);
      joined << part.rdbuf();
    }
  }
  EXPECT_EQ(read_jsonl_zstd(dir / "joined.zst").lines.size(), 6u);
  // Not zstd at all.
  test::write_file(dir / "junk.zst", {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_THROW(read_jsonl_zstd(dir / "junk.zst"), Error);
}

}  // namespace
}  // namespace lcl::bench
