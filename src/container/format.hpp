#pragma once
// Byte layout of a .lcl file (docs/FORMAT.md is the normative description):
//   header (16 bytes) | chunk payloads, in chunk order | index | trailer (32 bytes)
// The trailer, read first, locates the index; the index is checked against its own xxh64 and then
// every field against the file before anything is allocated from a declared size.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/container.hpp"

namespace lcl::container {

inline constexpr std::array<uint8_t, 8> kMagic = {0x89, 'L', 'C', 'L', '\r', '\n', 0x1a, '\n'};
inline constexpr std::array<uint8_t, 8> kTrailerMagic = {'L', 'C', 'L', 'I', 'N', 'D', 'E', 'X'};
inline constexpr uint16_t kFormatVersion = 1;
inline constexpr uint64_t kHeaderSize = 16;
inline constexpr uint64_t kTrailerSize = 32;
inline constexpr uint64_t kMaxChunkOriginalSize = 256ull << 20;
inline constexpr uint64_t kMaxNameLength = 65536;
inline constexpr uint64_t kMaxDims = 16;
inline constexpr uint64_t kMaxSourceNameLength = 4096;

std::vector<uint8_t> encode_header();
// Throws kCorruptInput unless `bytes` is a header of a version this build reads.
void check_header(std::span<const uint8_t> bytes);

struct Trailer {
  uint64_t index_offset = 0;
  uint64_t index_size = 0;
  uint64_t index_checksum = 0;
};
std::vector<uint8_t> encode_trailer(const Trailer& trailer);
Trailer decode_trailer(std::span<const uint8_t> bytes, uint64_t file_size);

std::vector<uint8_t> encode_index(const ArchiveIndex& index);
// Parses and validates against the archive's size and the index's position: chunks contiguous in
// both the original and the payload area, sizes bounded, tensors inside the original and covered
// by the chunks they name.
ArchiveIndex decode_index(std::span<const uint8_t> bytes, const Trailer& trailer);

}  // namespace lcl::container
