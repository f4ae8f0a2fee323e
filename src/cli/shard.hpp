#pragma once
// Splitting work across machines with no coordinator: `--shard I/N` keeps the items whose hash
// falls in shard I, so N runs with I = 0..N-1 (a Slurm array, a Kubernetes Indexed Job) cover
// every item exactly once, whatever order each machine lists them in.
#include <string>
#include <string_view>

namespace lcl::cli {

struct Shard {
  unsigned index = 0;
  unsigned count = 1;
};

// Parses "I/N" with 0 <= I < N; throws lcl::Error(kUsage) naming the text otherwise.
Shard parse_shard(const std::string& text);

// Help text of a --shard option that splits `items` ("the files found"): the same words for every
// command that takes one.
std::string shard_help(const std::string& items);

// The shard of an item named by `key` (a path relative to the directory given): xxh64 mod N.
unsigned shard_of_key(std::string_view key, unsigned count);

}  // namespace lcl::cli
