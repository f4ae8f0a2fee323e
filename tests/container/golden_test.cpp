// .lcl files written by earlier builds (tests/golden/<original>.<tag>.lcl) must keep decoding to
// their originals byte for byte: a codec id or payload format, once released, never changes. Both
// container format versions are pinned; version-2 containers also decode from a stream.
#include <gtest/gtest.h>

#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "support/file_utils.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

// The original next to the archive, or among the smoke fixtures (real model slices, which
// exercise the quantized codecs' payloads; synthetic tensors would be stored).
std::filesystem::path original_of(const std::filesystem::path& golden) {
  std::filesystem::path p = golden;
  p.replace_extension();  // drop .lcl
  p.replace_extension();  // drop the tag (.zstd, .store, .codecs, .lanes, .delta)
  if (std::filesystem::exists(p)) return p;
  return test::source_dir() / "tests/fixtures/smoke" / p.filename();
}

TEST(Golden, CommittedArchivesDecodeToTheirOriginals) {
  size_t checked = 0;
  size_t version2 = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(test::source_dir() / "tests/golden")) {
    if (entry.path().extension() != ".lcl") continue;
    SCOPED_TRACE(entry.path().string());
    auto expected = test::read_file(original_of(entry.path()));
    auto archive = Archive::open(entry.path());
    // An archive coded against a base finds it beside itself (tiny-base.safetensors).
    if (archive->index().base) archive->attach_base(entry.path().parent_path());
    std::vector<uint8_t> decoded(archive->index().original_size);
    archive->decode_all(1, [&](uint64_t offset, std::span<const uint8_t> bytes) {
      std::copy(bytes.begin(), bytes.end(), decoded.begin() + static_cast<ptrdiff_t>(offset));
    });
    EXPECT_EQ(decoded, expected);
    if (archive->index().format_version >= 2) {
      // Version 2 decodes front to back from a stream as well (read in small pieces, as from a
      // pipe), except an archive coded against a base: its base list is in the index at the
      // end, so a stream refuses it before writing anything.
      auto bytes = test::read_file(entry.path());
      MemoryInputStream in(bytes, 1000);
      VectorSink sink;
      if (archive->index().base) {
        EXPECT_THROW(decompress_stream(in, sink, DecompressOptions{1, {}}), Error);
        EXPECT_TRUE(sink.bytes().empty());
      } else {
        decompress_stream(in, sink, DecompressOptions{1, {}});
        EXPECT_EQ(sink.bytes(), expected);
        ++version2;
      }
    }
    for (const TensorEntry& t : archive->index().tensors) {
      auto bytes = archive->read_tensor(t.info.name);
      EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(),
                             expected.begin() + static_cast<ptrdiff_t>(t.original_offset)))
          << t.info.name;
    }
    ++checked;
  }
  EXPECT_GE(checked, 6u);
  EXPECT_GE(version2, 1u);
}

}  // namespace
}  // namespace lcl
