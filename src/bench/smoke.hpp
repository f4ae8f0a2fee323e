#pragma once
// `lcl smoke`: small fixed fixtures (tests/fixtures/smoke/, slices of real trained tensors)
// compressed with our main paths, each roundtrip asserted, and the compressed bytes compared with
// recorded fingerprints (sha256[:16]) and sizes in tests/fixtures/smoke/expected.json. It fails
// when a codec's output changes without the format version changing.
//
// Re-record (after an intended change that also bumped the format version or a codec id):
//   lcl smoke --fixtures tests/fixtures/smoke --record
// Regenerate the fixtures themselves from the shared corpus (rarely; they are committed):
//   lcl smoke --fixtures tests/fixtures/smoke --make-fixtures ../shared/corpus
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lcl::bench {

struct SmokeEntry {
  std::string file;
  std::string method;  // "container" (lcl compress) or "lcl" (per-tensor codec payloads)
  uint64_t original_bytes = 0;
  uint64_t compressed_bytes = 0;
  std::string sha256_16;  // first 16 hex digits of the SHA-256 of the compressed bytes
  bool roundtrip_ok = false;
  std::string error;
};

struct SmokeRun {
  uint32_t format_version = 0;
  std::string zstd_version;
  std::vector<SmokeEntry> entries;
};

// Runs every fixture (*.safetensors, *.gguf in the directory, sorted) through every path.
SmokeRun run_smoke(const std::filesystem::path& fixtures_dir);

nlohmann::json to_json(const SmokeRun& run);

// Differences between a run and the recorded expectation; empty when everything matches. When
// the zstd library differs from the recorded one, outputs that contain zstd streams may change
// legitimately: sizes must then agree within 2% and fingerprints are not compared (noted).
std::vector<std::string> compare_smoke(const SmokeRun& run, const nlohmann::json& expected,
                                       std::vector<std::string>& notes);

// Writes small fixtures from the shared corpus (bytellama-25m only: project data).
void make_smoke_fixtures(const std::filesystem::path& corpus,
                         const std::filesystem::path& fixtures_dir);

}  // namespace lcl::bench
