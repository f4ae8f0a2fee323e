#pragma once
// Little-endian loads and stores at unaligned addresses: every format of the project is
// little-endian. One memcpy each on a little-endian host (a single load or store), byte by byte
// on a big-endian one.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace lcl {

template <class T>
inline T load_le(const uint8_t* p) {
  T v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, sizeof v);
  } else {
    for (size_t i = 0; i < sizeof v; ++i) v = static_cast<T>(v | T{p[i]} << (8 * i));
  }
  return v;
}

template <class T>
inline void store_le(uint8_t* p, T v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, sizeof v);
  } else {
    for (size_t i = 0; i < sizeof v; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}

inline uint16_t load_u16le(const uint8_t* p) {
  return load_le<uint16_t>(p);
}
inline uint32_t load_u32le(const uint8_t* p) {
  return load_le<uint32_t>(p);
}
inline uint64_t load_u64le(const uint8_t* p) {
  return load_le<uint64_t>(p);
}
inline void store_u16le(uint8_t* p, uint16_t v) {
  store_le(p, v);
}

}  // namespace lcl
