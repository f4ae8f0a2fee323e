// libFuzzer target: decoding arbitrary bytes as a float codec payload and as an fp8 codec payload
// must either succeed or throw lcl::Error(kCorruptInput); never read or write out of bounds, never
// hang. Each input is decoded twice per codec, by the x86-64 kernels (AVX-512, else AVX2, for the
// float codec, AVX2 for fp8, where the CPU has them) and by the portable code, which must agree:
// both throw, or both write the same bytes.
// Input layout: u16 output size (LE), then the payload.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "codecs/float/float_coder.hpp"
#include "codecs/fp8/fp8_coder.hpp"
#include "lcl/error.hpp"
#include "util/kernel_dispatch.hpp"

namespace {

// Decodes into a buffer of `size` bytes; false when the payload was rejected.
template <class Decode>
bool decode(Decode decode_payload, const uint8_t* data, size_t size, size_t out_size, bool portable,
            std::vector<uint8_t>& out) {
  lcl::kernels::force_portable(portable);
  out.assign(out_size, 0);
  try {
    decode_payload(std::span<const uint8_t>(data, size), std::span<uint8_t>(out));
    return true;
  } catch (const lcl::Error& e) {
    if (e.kind() != lcl::ErrorKind::kCorruptInput) __builtin_trap();
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t out_size = data[0] | size_t{data[1]} << 8;
  auto check = [&](auto decode_payload) {
    std::vector<uint8_t> fast, portable;
    const bool fast_ok = decode(decode_payload, data + 2, size - 2, out_size, false, fast);
    const bool portable_ok = decode(decode_payload, data + 2, size - 2, out_size, true, portable);
    if (fast_ok != portable_ok || (fast_ok && fast != portable)) __builtin_trap();
  };
  // Lambdas: the decoders are overloaded (with and without a caller's workspace).
  check([](std::span<const uint8_t> payload, std::span<uint8_t> out) {
    lcl::float_format::decode_floats(payload, out);
  });
  check([](std::span<const uint8_t> payload, std::span<uint8_t> out) {
    lcl::fp8_format::decode_fp8(payload, out);
  });
  return 0;
}
