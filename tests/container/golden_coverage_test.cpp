// Every codec of the registry table is specified in docs/FORMAT.md and pinned by the golden
// archives: each payload version its decoder accepts and each quant field mode occurs in some
// chunk (or segments group) of tests/golden/*.lcl, which golden_test.cpp decodes to their
// originals.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "codecs/fields/quant_fields.hpp"
#include "codecs/registry.hpp"
#include "codecs/segments/segments_codec.hpp"
#include "lcl/container.hpp"
#include "support/test_paths.hpp"

namespace lcl {
namespace {

// A (codec id, payload version or -1 for an unversioned payload) and the field modes seen in it.
using Pinned = std::map<std::pair<CodecId, int>, uint32_t>;

void record(CodecId id, std::span<const uint8_t> payload, uint64_t original_size, Pinned& pinned) {
  const CodecEntry* entry = find_codec_entry(id);
  ASSERT_NE(entry, nullptr) << "golden chunk with unknown codec " << id;
  if (id == codec_id::kSegments)
    for (const SegmentsGroup& g : segments_groups(payload, original_size))
      record(g.codec, g.payload, g.original_size, pinned);
  const int version = entry->versions.empty() || payload.empty() ? -1 : payload[0];
  quant::FieldModeTrace trace;
  std::vector<uint8_t> decoded(original_size);
  entry->codec().decode(payload, decoded);
  pinned[{id, version}] |= trace.seen;
}

Pinned pinned_by_goldens() {
  Pinned pinned;
  for (const auto& file :
       std::filesystem::directory_iterator(test::source_dir() / "tests/golden")) {
    if (file.path().extension() != ".lcl") continue;
    auto archive = Archive::open(file.path());
    // An archive coded against a base finds it beside itself (tiny-base.safetensors).
    if (archive->index().base) archive->attach_base(file.path().parent_path());
    for (size_t i = 0; i < archive->index().chunks.size(); ++i) {
      const ChunkEntry& chunk = archive->index().chunks[i];
      std::vector<uint8_t> payload(chunk.payload_size);
      archive->source().read(chunk.payload_offset, payload);
      const Codec* codec = find_codec(chunk.codec);
      if (chunk.codec == codec_id::kCopy ||
          (codec && codec->reference(payload, chunk.original_size))) {
        // A payload coded against a reference (a base file, or another chunk for a copy)
        // decodes with it, through the archive.
        std::vector<uint8_t> decoded(chunk.original_size);
        archive->decode_chunk(i, decoded);
        pinned[{chunk.codec, payload[0]}] |= 0;
        continue;
      }
      record(chunk.codec, payload, chunk.original_size, pinned);
    }
  }
  return pinned;
}

TEST(GoldenCoverage, EveryAcceptedVersionAndFieldModeIsPinned) {
  const Pinned pinned = pinned_by_goldens();
  uint32_t modes_seen = 0;
  for (const auto& [key, modes] : pinned) modes_seen |= modes;
  uint32_t modes_accepted = 0;
  for (const CodecEntry& entry : codec_table()) {
    SCOPED_TRACE(std::string(entry.name));
    if (entry.versions.empty()) {
      EXPECT_TRUE(pinned.count({entry.id, -1})) << "no golden chunk uses this codec";
    }
    for (uint8_t v : entry.versions)
      EXPECT_TRUE(pinned.count({entry.id, v})) << "no golden chunk of payload version " << int(v);
    for (uint8_t m : entry.field_modes) modes_accepted |= 1u << m;
  }
  // The field reader is one function for every codec, so each mode is pinned once for all.
  for (uint8_t m : quant::kFieldModes) {
    if (modes_accepted >> m & 1) {
      EXPECT_TRUE(modes_seen >> m & 1) << "field mode " << int(m);
    }
  }
}

TEST(GoldenCoverage, EveryCodecHasAFormatSection) {
  std::ifstream in(test::source_dir() / "docs/FORMAT.md");
  ASSERT_TRUE(in) << "docs/FORMAT.md missing";
  std::set<std::string> headings;
  for (std::string line; std::getline(in, line);)
    if (line.rfind('#', 0) == 0) headings.insert(line);
  for (const CodecEntry& entry : codec_table()) {
    const std::string wanted =
        "Codec " + std::to_string(entry.id) + ": `" + std::string(entry.name) + "`";
    bool found = false;
    for (const std::string& h : headings) found |= h.find(wanted) != std::string::npos;
    EXPECT_TRUE(found) << "no docs/FORMAT.md heading naming \"" << wanted << "\"";
  }
}

}  // namespace
}  // namespace lcl
