#include "cli/shard.hpp"

#include <charconv>

#include <xxhash.h>

#include "lcl/error.hpp"

namespace lcl::cli {

Shard parse_shard(const std::string& text) {
  Shard shard;
  auto slash = text.find('/');
  auto parse = [&](std::string_view s, unsigned& v) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size();
  };
  if (slash == std::string::npos || !parse(std::string_view(text).substr(0, slash), shard.index) ||
      !parse(std::string_view(text).substr(slash + 1), shard.count) || shard.count == 0 ||
      shard.index >= shard.count)
    throw Error(ErrorKind::kUsage, "--shard wants I/N with 0 <= I < N, got \"" + text + "\"");
  return shard;
}

std::string shard_help(const std::string& items) {
  return "only shard I of N (0-based) of " + items +
         "; N runs with I = 0..N-1 cover every one of them once";
}

unsigned shard_of_key(std::string_view key, unsigned count) {
  if (count <= 1) return 0;
  // XXH64 (seed 0): the split must be the same on every machine and in every version.
  return static_cast<unsigned>(XXH64(key.data(), key.size(), 0) % count);
}

}  // namespace lcl::cli
