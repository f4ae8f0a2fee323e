#pragma once
// xxh64 (seed 0) is the checksum of .lcl chunks and whole files.
#include <xxhash.h>

#include <cstdint>
#include <span>

namespace lcl {

inline uint64_t xxh64(std::span<const uint8_t> bytes) {
  return XXH64(bytes.data(), bytes.size(), 0);
}

class StreamingHash {
 public:
  StreamingHash() : state_(XXH64_createState()) { XXH64_reset(state_, 0); }
  ~StreamingHash() { XXH64_freeState(state_); }
  StreamingHash(const StreamingHash&) = delete;
  StreamingHash& operator=(const StreamingHash&) = delete;
  void update(std::span<const uint8_t> bytes) { XXH64_update(state_, bytes.data(), bytes.size()); }
  uint64_t digest() const { return XXH64_digest(state_); }

 private:
  XXH64_state_t* state_;
};

}  // namespace lcl
