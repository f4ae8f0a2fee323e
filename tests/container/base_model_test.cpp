// Archives coded against a base model: byte-exact roundtrips, the base recorded and checked, and
// a missing, wrong or truncated base refused before any output exists.
#include <gtest/gtest.h>

#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "lcl/sink.hpp"
#include "lcl/stream.hpp"
#include "support/file_utils.hpp"
#include "support/finetune_pair.hpp"
#include "support/model_builders.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

CompressOptions with_base(const fs::path& base) {
  CompressOptions o;
  o.threads = 2;
  o.plan.chunk_size = 64 << 10;
  o.verify_chunks = true;
  o.base = base;
  return o;
}

DecompressOptions decompress_with(const std::optional<fs::path>& base) {
  DecompressOptions o;
  o.threads = 2;
  o.base = base;
  return o;
}

// A base and a fine-tune with every case the matcher meets: BF16, F16 and F32 tensors moved a
// little, one identical to its base, one identical to another tensor of the fine-tune, one only
// the fine-tune has, one whose shape and one whose dtype changed, and two below the planner's
// size for a codec of their own (norm vectors, carried as generic bytes), one of them moved.
struct Pair {
  fs::path base, tuned;
};

Pair write_pair(const fs::path& dir) {
  auto bf16 = test::make_float_pair(40000, 2, false, 1);
  auto f16 = test::make_float_pair(30000, 2, true, 2);
  auto f32 = test::make_float_pair(20000, 4, false, 3);
  auto same = test::make_float_pair(10000, 2, false, 4);
  auto other = test::make_float_pair(12000, 2, false, 5);
  auto norm = test::make_float_pair(512, 2, false, 6);
  using T = test::SafetensorsTensor;
  std::vector<T> base = {
      {"a.bf16", "BF16", {200, 200}, bf16.base},    {"b.f16", "F16", {300, 100}, f16.base},
      {"c.f32", "F32", {100, 200}, f32.base},       {"same", "BF16", {10000}, same.base},
      {"reshaped", "BF16", {100, 120}, other.base}, {"retyped", "BF16", {12000}, other.base},
      {"tied", "BF16", {200, 200}, bf16.base},      {"norm", "BF16", {512}, norm.base},
      {"norm.moved", "BF16", {512}, norm.base}};
  std::vector<T> tuned = {{"a.bf16", "BF16", {200, 200}, bf16.tuned},
                          {"b.f16", "F16", {300, 100}, f16.tuned},
                          {"c.f32", "F32", {100, 200}, f32.tuned},
                          {"same", "BF16", {10000}, same.base},
                          {"reshaped", "BF16", {120, 100}, other.tuned},
                          {"retyped", "F16", {12000}, other.tuned},
                          {"tied", "BF16", {200, 200}, bf16.tuned},
                          {"new", "BF16", {12000}, other.tuned},
                          {"norm", "BF16", {512}, norm.base},
                          {"norm.moved", "BF16", {512}, norm.tuned}};
  Pair p{dir / "base" / "model.safetensors", dir / "tuned" / "model.safetensors"};
  fs::create_directories(p.base.parent_path());
  fs::create_directories(p.tuned.parent_path());
  test::write_file(p.base, test::build_safetensors(base));
  test::write_file(p.tuned, test::build_safetensors(tuned));
  return p;
}

TEST(BaseModel, FineTuneRoundtripsAgainstItsBase) {
  TempDir dir;
  const Pair p = write_pair(dir.path());
  const fs::path packed = dir / "tuned.lcl";
  const CompressResult with = compress_file(p.tuned, packed, with_base(p.base.parent_path()));
  CompressOptions alone = with_base(p.base);
  alone.base.reset();
  const CompressResult without = compress_file(p.tuned, dir / "alone.lcl", alone);
  EXPECT_LT(with.compressed_size * 2, without.compressed_size);

  auto archive = Archive::open(packed);
  ASSERT_TRUE(archive->index().base.has_value());
  EXPECT_EQ(archive->index().base->name, "base");
  // A tensor identical to its base costs a few bytes: one delta chunk in its identical mode, the
  // 1 KiB norm vector as well as the large tensor.
  for (const TensorEntry& t : archive->index().tensors)
    if (t.info.name == "same" || t.info.name == "norm") {
      ASSERT_EQ(t.chunk_count, 1u);
      const ChunkEntry& c = archive->index().chunks[t.first_chunk];
      EXPECT_EQ(c.codec, codec_id::kDelta);
      EXPECT_LE(c.payload_size, 16u);
    }
  // The moved norm vector is a chunk of its own (coded against the base, or alone where that is
  // smaller).
  for (const TensorEntry& t : archive->index().tensors)
    if (t.info.name == "norm.moved") {
      ASSERT_EQ(t.chunk_count, 1u);
      EXPECT_EQ(archive->index().chunks[t.first_chunk].original_size, t.original_size);
    }
  ASSERT_EQ(archive->index().base->files.size(), 1u);
  EXPECT_EQ(archive->index().base->files[0].name, "model.safetensors");
  EXPECT_EQ(archive->index().base->files[0].size, fs::file_size(p.base));

  // The base as its directory, as its file, for decompress, verify and single tensors.
  for (const fs::path& base : {p.base.parent_path(), p.base}) {
    decompress_file(packed, dir / "out", decompress_with(base), true);
    EXPECT_EQ(test::read_file(dir / "out"), test::read_file(p.tuned));
    verify_file(packed, p.tuned, decompress_with(base));
  }
  archive->attach_base(p.base);
  const auto original = test::read_file(p.tuned);
  for (const TensorEntry& t : archive->index().tensors) {
    const auto bytes = archive->read_tensor(t.info.name);
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(),
                           original.begin() + static_cast<ptrdiff_t>(t.original_offset)))
        << t.info.name;
  }
}

TEST(BaseModel, NoSharedTensorsMeansNoBaseSection) {
  TempDir dir;
  const Pair p = write_pair(dir.path());
  auto unrelated = test::make_float_pair(5000, 2, false, 8);
  test::write_file(dir / "unrelated.safetensors",
                   test::build_safetensors({{"x", "BF16", {5000}, unrelated.base}}));
  compress_file(p.tuned, dir / "t.lcl", with_base(dir / "unrelated.safetensors"));
  auto archive = Archive::open(dir / "t.lcl");
  EXPECT_FALSE(archive->index().base.has_value());
  decompress_file(dir / "t.lcl", dir / "out", decompress_with(std::nullopt));
  EXPECT_EQ(test::read_file(dir / "out"), test::read_file(p.tuned));
}

// Format 2 carries the base flag and section like format 1; a stream reader cannot decode delta
// chunks before the index names their base files, so it refuses before writing anything and says
// to decode from a file, and a stream cannot be coded against a base.
TEST(BaseModel, FormatTwoArchiveWithABaseNeedsAFile) {
  TempDir dir;
  const Pair p = write_pair(dir.path());
  const fs::path packed = dir / "tuned.lcl";
  compress_file(p.tuned, packed, with_base(p.base));
  const std::vector<uint8_t> bytes = test::read_file(packed);
  ASSERT_GE(bytes.size(), 16u);
  EXPECT_EQ(bytes[8] | (bytes[9] << 8), 2);    // format version
  EXPECT_EQ(bytes[10] | (bytes[11] << 8), 1);  // flag bit 0: coded against a base
  ASSERT_TRUE(Archive::open(packed)->index().base.has_value());

  MemoryInputStream in(bytes, 4096);
  VectorSink sink;
  try {
    decompress_stream(in, sink, decompress_with(p.base));
    ADD_FAILURE() << "decoded a based archive from a stream";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find("--base"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(sink.bytes().empty());

  const std::vector<uint8_t> tuned = test::read_file(p.tuned);
  MemoryInputStream tuned_stream(tuned, 4096);
  VectorSink unused;
  try {
    compress_stream(tuned_stream, "model.safetensors", unused, with_base(p.base));
    ADD_FAILURE() << "coded a stream against a base";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  }
  EXPECT_TRUE(unused.bytes().empty());
}

// Runs `decompress` and expects it to throw lcl::Error(kUsage) whose message contains `words`,
// with no output file (or temporary) left behind.
void expect_refused(const fs::path& packed, const std::optional<fs::path>& base,
                    const std::string& words) {
  const fs::path out = packed.parent_path() / "refused-out";
  try {
    decompress_file(packed, out, decompress_with(base));
    ADD_FAILURE() << "decompressed with " << (base ? base->string() : "no base");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(out));
  for (const auto& entry : fs::directory_iterator(packed.parent_path()))
    EXPECT_EQ(entry.path().filename().string().find("refused-out"), std::string::npos);
  EXPECT_THROW(verify_file(packed, std::nullopt, decompress_with(base)), Error);
}

TEST(BaseModel, MissingWrongOrTruncatedBaseIsRefusedBeforeAnyOutput) {
  TempDir dir;
  const Pair p = write_pair(dir.path());
  const fs::path packed = dir / "tuned.lcl";
  compress_file(p.tuned, packed, with_base(p.base));

  expect_refused(packed, std::nullopt, "--base");
  expect_refused(packed, std::nullopt, "made against the base model model.safetensors");

  auto bytes = test::read_file(p.base);
  fs::create_directories(dir / "wrong");
  bytes[bytes.size() / 2] ^= 1;  // one bit of one weight
  test::write_file(dir / "wrong" / "model.safetensors", bytes);
  expect_refused(packed, dir / "wrong", "the given base differs");
  expect_refused(packed, dir / "wrong" / "model.safetensors", "sha256");

  bytes = test::read_file(p.base);
  bytes.resize(bytes.size() - 100);
  test::write_file(dir / "wrong" / "model.safetensors", bytes);
  expect_refused(packed, dir / "wrong", "the given base differs");

  fs::create_directories(dir / "empty");
  expect_refused(packed, dir / "empty", "not at");  // a directory without the base's file
}

TEST(BaseModel, ShardedBaseByIndexOrDirectory) {
  TempDir dir;
  const Pair p = write_pair(dir.path());
  // The base split in two shards with an index.json, as checkpoints are published.
  auto base_bytes = test::read_file(p.base);
  auto bf16 = test::make_float_pair(40000, 2, false, 1);
  auto f32 = test::make_float_pair(20000, 4, false, 3);
  fs::create_directories(dir / "sharded");
  test::write_file(dir / "sharded" / "model-00001-of-00002.safetensors",
                   test::build_safetensors({{"a.bf16", "BF16", {200, 200}, bf16.base}}));
  test::write_file(dir / "sharded" / "model-00002-of-00002.safetensors",
                   test::build_safetensors({{"c.f32", "F32", {100, 200}, f32.base}}));
  test::write_file(dir / "sharded" / "model.safetensors.index.json", [] {
    std::string j = R"({"metadata":{},"weight_map":{"a.bf16":"model-00001-of-00002.safetensors",)"
                    R"("c.f32":"model-00002-of-00002.safetensors"}})";
    return std::vector<uint8_t>(j.begin(), j.end());
  }());
  compress_file(p.tuned, dir / "t.lcl",
                with_base(dir / "sharded" / "model.safetensors.index.json"));
  auto archive = Archive::open(dir / "t.lcl");
  ASSERT_TRUE(archive->index().base.has_value());
  EXPECT_EQ(archive->index().base->name, "sharded");
  EXPECT_EQ(archive->index().base->files.size(), 2u);
  for (const fs::path& base : {dir / "sharded", dir / "sharded" / "model.safetensors.index.json",
                               dir / "sharded" / "model-00001-of-00002.safetensors"}) {
    decompress_file(dir / "t.lcl", dir / "out", decompress_with(base), true);
    EXPECT_EQ(test::read_file(dir / "out"), test::read_file(p.tuned));
  }
}

// Every pair of corpus models with tensors in common, both ways: the real fine-tune of
// bytellama-25m against its base and the base against the fine-tune.
TEST(BaseModel, CorpusFineTuneBothDirections) {
  LCL_REQUIRE_CORPUS();
  const fs::path base = test::corpus_dir() / "bytellama-25m";
  const fs::path tuned = test::corpus_dir() / "bytellama-25m-ft-changelog";
  if (!fs::exists(base) || !fs::exists(tuned)) GTEST_SKIP() << "pair not in the corpus";
  TempDir dir;
  for (const auto& [from, against] : {std::pair{tuned, base}, std::pair{base, tuned}}) {
    const fs::path file = from / "model-00001-of-00004.safetensors";
    CompressOptions options = with_base(against);
    options.plan.chunk_size = 4u << 20;
    const CompressResult r = compress_file(file, dir / "x.lcl", options, true);
    EXPECT_GT(static_cast<double>(r.original_size) / static_cast<double>(r.compressed_size), 4.0)
        << file;
    decompress_file(dir / "x.lcl", dir / "out", decompress_with(against), true);
    EXPECT_EQ(test::read_file(dir / "out"), test::read_file(file));
  }
}

TEST(BaseModel, CorpusGgufAgainstAnotherQuantizationOfItsModel) {
  LCL_REQUIRE_CORPUS();
  const fs::path dir_gguf = test::corpus_dir() / "bytellama-25m-gguf";
  const fs::path q4 = dir_gguf / "bytellama-25m-Q4_K_M.gguf",
                 q5 = dir_gguf / "bytellama-25m-Q5_K_M.gguf";
  if (!fs::exists(q4) || !fs::exists(q5)) GTEST_SKIP() << "GGUF files not in the corpus";
  TempDir dir;
  // The two files quantize some tensors alike (Q6_K, F32): those are coded against the other
  // file, the rest on their own; every byte comes back.
  for (const auto& [from, against] : {std::pair{q4, q5}, std::pair{q5, q4}}) {
    CompressOptions options = with_base(against);
    options.plan.chunk_size = 4u << 20;
    const CompressResult r = compress_file(from, dir / "x.lcl", options, true);
    auto archive = Archive::open(dir / "x.lcl");
    size_t delta_chunks = 0;
    for (const ChunkEntry& c : archive->index().chunks) delta_chunks += c.codec == codec_id::kDelta;
    EXPECT_GT(delta_chunks, 0u) << from;
    EXPECT_LT(r.compressed_size, r.original_size) << from;
    decompress_file(dir / "x.lcl", dir / "out", decompress_with(against), true);
    EXPECT_EQ(test::read_file(dir / "out"), test::read_file(from));
  }
}

}  // namespace
}  // namespace lcl
