// libFuzzer target: decoding arbitrary bytes as a delta codec payload, against a reference that
// may be the right one, a wrong one or a truncated one, must either succeed or throw
// lcl::Error(kCorruptInput); never read or write out of bounds, never hang; and the AVX2 kernel
// and the portable loop must agree.
// Input layout: u16 output size (LE), u8 reference seed, u8 reference shortening (0: the
// reference has the output's size; k > 0: k bytes fewer, clamped at 0), then the payload. The
// reference's bytes are delta_reference(seed, size), so a seed payload coded against them (the
// seeds in fuzz/seeds/fuzz_delta/ are) decodes, and mutating the seed byte gives a wrong base.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "codecs/delta/delta_coder.hpp"
#include "delta_reference.hpp"
#include "lcl/error.hpp"
#include "util/kernel_dispatch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const size_t out_size = data[0] | size_t{data[1]} << 8;
  const std::vector<uint8_t> reference = lcl::fuzz::delta_reference(data[2], out_size);
  const size_t shorten = data[3] < reference.size() ? data[3] : reference.size();
  // Decoded by the AVX2 kernel (where built and the CPU has it) and by the portable loop: both
  // must throw, or both give the same bytes.
  auto decode = [&](bool portable, std::vector<uint8_t>& out) {
    lcl::kernels::force_portable(portable);
    try {
      lcl::delta_format::decode_delta({data + 4, size - 4},
                                      {reference.data(), reference.size() - shorten}, out);
      return true;
    } catch (const lcl::Error& e) {
      if (e.kind() != lcl::ErrorKind::kCorruptInput) __builtin_trap();
      return false;
    }
  };
  std::vector<uint8_t> kernel(out_size), portable(out_size);
  const bool kernel_ok = decode(false, kernel);
  const bool portable_ok = decode(true, portable);
  lcl::kernels::force_portable(false);
  if (kernel_ok != portable_ok || (kernel_ok && kernel != portable)) __builtin_trap();
  return 0;
}
