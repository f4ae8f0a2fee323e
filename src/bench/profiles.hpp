#pragma once
// Profiles of trained methods as files: what a method learned (its bytes exactly as the decoder
// needs them, counted in every ratio through profile_bytes()) and the models it learned from, so
// a run can refuse to measure a model with a profile trained on that same model.
//   DIR/<method>.profile.json = {"method", "tool_version", "trained_on": [models],
//                                "trained_on_tensors": [xxh64 hex of each training sample],
//                                "bytes": hex}
// The sample hashes recognise the training tensors under any folder, file or model name, so a
// renamed copy of a training model is still measured as in-sample.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lcl::bench {

struct StoredProfile {
  std::string method;
  std::string tool_version;
  std::vector<std::string> trained_on;       // model identities (the bootstrap units)
  std::vector<uint64_t> trained_on_tensors;  // xxh64 of each training sample, sorted
  std::vector<uint8_t> bytes;
};

std::filesystem::path profile_path(const std::filesystem::path& dir, const std::string& method);
// Written atomically; throws lcl::Error(kIo).
void write_profile(const std::filesystem::path& path, const StoredProfile& profile);
// Throws lcl::Error(kCorruptInput) naming the file on anything malformed.
StoredProfile read_profile(const std::filesystem::path& path);

}  // namespace lcl::bench
