#pragma once
// xxh64 (seed 0) checksums the chunks and whole files of .lcl version 1 and every .lcl index;
// XXH3-64 (seed 0), about twice as fast on long inputs, the chunks and whole files of version 2.
#include <xxhash.h>

#include <cstdint>
#include <span>

namespace lcl {

inline uint64_t xxh64(std::span<const uint8_t> bytes) {
  return XXH64(bytes.data(), bytes.size(), 0);
}

inline uint64_t xxh3(std::span<const uint8_t> bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

// Either hash, streamed: `xxh3` picks XXH3-64, otherwise XXH64.
class ContentHash {
 public:
  explicit ContentHash(bool xxh3) : xxh3_(xxh3) {
    if (xxh3_) {
      state3_ = XXH3_createState();
      XXH3_64bits_reset(state3_);
    } else {
      state64_ = XXH64_createState();
      XXH64_reset(state64_, 0);
    }
  }
  ~ContentHash() {
    if (state3_) XXH3_freeState(state3_);
    if (state64_) XXH64_freeState(state64_);
  }
  ContentHash(const ContentHash&) = delete;
  ContentHash& operator=(const ContentHash&) = delete;
  void update(std::span<const uint8_t> bytes) {
    if (xxh3_)
      XXH3_64bits_update(state3_, bytes.data(), bytes.size());
    else
      XXH64_update(state64_, bytes.data(), bytes.size());
  }
  uint64_t digest() const { return xxh3_ ? XXH3_64bits_digest(state3_) : XXH64_digest(state64_); }

 private:
  bool xxh3_;
  XXH3_state_t* state3_ = nullptr;
  XXH64_state_t* state64_ = nullptr;
};

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
