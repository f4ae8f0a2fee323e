#pragma once
// Whether a buffer is all zero bytes, 64 bytes per step (the compiler vectorises the OR), so that
// a decoder can leave holes for zero runs at memory speed.
#include <cstdint>
#include <cstring>
#include <span>

namespace lcl {

inline bool all_zero(std::span<const uint8_t> bytes) {
  size_t i = 0;
  for (; i + 64 <= bytes.size(); i += 64) {
    uint64_t w[8];
    std::memcpy(w, bytes.data() + i, 64);
    if ((w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) != 0) return false;
  }
  uint8_t acc = 0;
  for (; i < bytes.size(); ++i) acc |= bytes[i];
  return acc == 0;
}

}  // namespace lcl
