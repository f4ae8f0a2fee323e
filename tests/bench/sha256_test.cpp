#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/kernel_dispatch.hpp"

namespace lcl {
namespace {

std::string sha_of(const std::string& s) {
  return sha256_hex({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

// Test vectors of FIPS 180-4 / NIST CSRC examples.
TEST(Sha256, NistVectors) {
  EXPECT_EQ(sha_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha_of(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalUpdatesMatchOneShot) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += static_cast<char>('a' + i % 26);
  for (size_t split : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 128u, 299u}) {
    Sha256 sha;
    sha.update({reinterpret_cast<const uint8_t*>(text.data()), split});
    sha.update({reinterpret_cast<const uint8_t*>(text.data()) + split, text.size() - split});
    EXPECT_EQ(to_hex(sha.finish()), sha_of(text)) << split;
  }
}

// The SHA-NI kernel (where the CPU has it) and the portable rounds give the same digests; the NIST
// vectors above pin whichever path this CPU takes.
TEST(Sha256, KernelMatchesPortable) {
  std::vector<uint8_t> bytes(5000);
  uint32_t state = 12345;
  for (uint8_t& b : bytes) b = static_cast<uint8_t>((state = state * 1103515245u + 12345u) >> 24);
  for (size_t size : {0u, 63u, 64u, 65u, 127u, 128u, 1000u, 4096u, 5000u}) {
    const std::span<const uint8_t> part(bytes.data(), size);
    kernels::force_portable(true);
    const std::string portable = sha256_hex(part);
    kernels::force_portable(false);
    EXPECT_EQ(sha256_hex(part), portable) << size;
  }
}

}  // namespace
}  // namespace lcl
