#pragma once
// Overflow-checked arithmetic for sizes read from untrusted headers.
#include <cstdint>
#include <string>

#include "lcl/error.hpp"

namespace lcl::formats {

inline uint64_t checked_mul(uint64_t a, uint64_t b, const std::string& what) {
  uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) throw_corrupt(what + " overflows 64 bits");
  return r;
}

inline uint64_t checked_add(uint64_t a, uint64_t b, const std::string& what) {
  uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) throw_corrupt(what + " overflows 64 bits");
  return r;
}

}  // namespace lcl::formats
