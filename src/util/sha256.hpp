#pragma once
// SHA-256 (FIPS 180-4), for fingerprints of compressed outputs in the smoke test: a short,
// collision-resistant name for "these exact bytes" that is stable across machines and versions.
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace lcl {

class Sha256 {
 public:
  Sha256();
  void update(std::span<const uint8_t> bytes);
  std::array<uint8_t, 32> finish();  // the object must not be updated afterwards

 private:
  void block(const uint8_t* p);                 // the portable compression of one block
  void blocks(const uint8_t* p, size_t count);  // `count` blocks, by the SHA-NI kernel if any
  uint32_t h_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t length_ = 0;
};

namespace sha256_kernel {
// The 64 round constants (FIPS 180-4, 4.2.2), 16-byte aligned for the kernel's vector loads.
extern const uint32_t kRound[64];
// The SHA-NI compression of `count` 64-byte blocks into h (util/sha256_shani.cpp); only called
// when kernels::sha_available().
void blocks(uint32_t (&h)[8], const uint8_t* p, size_t count);
}  // namespace sha256_kernel

// Lower-case hex of the digest of `bytes`.
std::string sha256_hex(std::span<const uint8_t> bytes);
// Lower-case hex of any bytes (e.g. a digest from Sha256::finish).
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace lcl
