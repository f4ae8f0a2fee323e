#pragma once
// The frame the block codecs (q4k, q6k, q8_0, ggml-blocks) put around their fields: u8 payload
// version, varint block count, the fields, nothing after them (docs/FORMAT.md). Encoders take
// whole blocks only; decoders check the version against the codec's list, the count against the
// output size and that the fields end the payload.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "lcl/error.hpp"
#include "util/byte_io.hpp"

namespace lcl {

// The number of blocks of `input`; throws lcl::Error(kUnsupported) for a ragged size (the chunk
// encoder then falls back to zstd).
inline size_t whole_blocks(std::span<const uint8_t> input, size_t block_bytes,
                           std::string_view codec) {
  if (input.size() % block_bytes != 0)
    throw Error(ErrorKind::kUnsupported, std::string(codec) + ": " + std::to_string(input.size()) +
                                             " bytes are not whole blocks");
  return input.size() / block_bytes;
}

// Throws lcl::Error(kUsage) unless `version` is one of `versions` (an encoder asked for a payload
// version its codec does not have).
inline void check_version_known(uint8_t version, std::span<const uint8_t> versions,
                                std::string_view codec) {
  if (std::find(versions.begin(), versions.end(), version) == versions.end())
    throw Error(ErrorKind::kUsage,
                std::string(codec) + ": no payload version " + std::to_string(version));
}

// Reads the version byte; fails unless it is one of `versions`.
inline uint8_t read_frame_version(ByteReader& r, std::span<const uint8_t> versions) {
  const uint8_t version = r.u8();
  if (std::find(versions.begin(), versions.end(), version) == versions.end())
    r.fail("unknown format version " + std::to_string(version));
  return version;
}

// Reads the block count; fails unless the output holds exactly that many blocks.
inline size_t read_frame_blocks(ByteReader& r, size_t out_size, size_t block_bytes) {
  const uint64_t blocks = r.varint();
  if (out_size % block_bytes != 0 || blocks != out_size / block_bytes)
    r.fail("block count does not match the output size");
  return static_cast<size_t>(blocks);
}

inline void check_frame_end(const ByteReader& r) {
  if (!r.at_end()) r.fail("trailing bytes");
}

}  // namespace lcl
