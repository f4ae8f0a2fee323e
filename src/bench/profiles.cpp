#include "bench/profiles.hpp"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lcl/error.hpp"
#include "util/atomic_file.hpp"

namespace lcl::bench {

namespace fs = std::filesystem;

fs::path profile_path(const fs::path& dir, const std::string& method) {
  return dir / (method + ".profile.json");
}

void write_profile(const fs::path& path, const StoredProfile& profile) {
  static const char* const kHex = "0123456789abcdef";
  std::string hex;
  for (uint8_t b : profile.bytes) hex += kHex[b >> 4], hex += kHex[b & 15];
  nlohmann::json j;
  j["method"] = profile.method;
  j["tool_version"] = profile.tool_version;
  j["trained_on"] = profile.trained_on;
  std::vector<std::string> hashes;
  for (uint64_t h : profile.trained_on_tensors) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    hashes.push_back(buf);
  }
  j["trained_on_tensors"] = hashes;
  j["bytes"] = hex;
  std::string text = j.dump(2) + "\n";
  AtomicOutputFile out(path, /*overwrite=*/true);
  out.write({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  out.commit();
}

StoredProfile read_profile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kIo, "cannot open " + path.string());
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& why) { throw_corrupt(path.string() + ": " + why); };
  if (!j.is_object()) bad("not a JSON object");
  StoredProfile p;
  try {
    p.method = j.at("method").get<std::string>();
    p.tool_version = j.value("tool_version", "");
    p.trained_on = j.at("trained_on").get<std::vector<std::string>>();
    for (const auto& h : j.value("trained_on_tensors", std::vector<std::string>{})) {
      size_t used = 0;
      if (h.size() != 16) bad("\"trained_on_tensors\" holds a hash that is not 16 hex digits");
      p.trained_on_tensors.push_back(std::stoull(h, &used, 16));
      if (used != 16) bad("\"trained_on_tensors\" holds a hash that is not 16 hex digits");
    }
    const std::string hex = j.at("bytes").get<std::string>();
    if (hex.size() % 2) bad("\"bytes\" has an odd number of hex digits");
    auto digit = [&](char c) -> uint8_t {
      if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0');
      if (c >= 'a' && c <= 'f') return static_cast<uint8_t>(c - 'a' + 10);
      bad("\"bytes\" is not lower-case hex");
      return 0;
    };
    for (size_t i = 0; i < hex.size(); i += 2)
      p.bytes.push_back(static_cast<uint8_t>(digit(hex[i]) << 4 | digit(hex[i + 1])));
  } catch (const nlohmann::json::exception& e) {
    bad(e.what());
  }
  return p;
}

}  // namespace lcl::bench
