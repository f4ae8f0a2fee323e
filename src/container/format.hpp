#pragma once
// Byte layout of a .lcl file (docs/FORMAT.md is the normative description):
//   version 1: header (16 bytes) | chunk payloads, in chunk order | index | trailer (32 bytes)
//   version 2: header | chunk frames (frame header + payload), in order | end frame | index |
//   trailer
// A random-access reader reads the trailer first, which locates the index; the index is checked
// against its own xxh64 and then every field against the file before anything is allocated from a
// declared size. A stream reader (version 2 only) decodes the frames front to back and checks the
// index against them at the end.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "lcl/container.hpp"

namespace lcl::container {

inline constexpr std::array<uint8_t, 8> kMagic = {0x89, 'L', 'C', 'L', '\r', '\n', 0x1a, '\n'};
inline constexpr std::array<uint8_t, 8> kTrailerMagic = {'L', 'C', 'L', 'I', 'N', 'D', 'E', 'X'};
inline constexpr uint16_t kFormatVersion = 2;  // what the writer writes; readers take 1 and 2
inline constexpr uint64_t kHeaderSize = 16;
inline constexpr uint64_t kTrailerSize = 32;
inline constexpr uint64_t kMaxChunkOriginalSize = 256ull << 20;
inline constexpr uint64_t kMaxNameLength = 65536;
inline constexpr uint64_t kMaxDims = 16;
inline constexpr uint64_t kMaxSourceNameLength = 4096;

inline constexpr uint8_t kChunkFrameTag = 0xC1;
// The frame of a chunk that a later copy chunk names: a stream reader keeps its payload.
inline constexpr uint8_t kKeptFrameTag = 0xC2;
// What a stream reader keeps of kept frames' payloads at most; an archive that needs more is
// decoded from a file (which reads the copied chunk again instead).
inline constexpr uint64_t kMaxKeptPayloadBytes = 2ull << 30;
inline constexpr uint8_t kEndFrameTag = 0xE0;
// tag + 3 varints of at most 10 bytes + checksum + header check
inline constexpr size_t kMaxFrameHeaderSize = 1 + 3 * 10 + 8 + 4;

// Header flags (docs/FORMAT.md): a reader rejects flags it does not know.
inline constexpr uint16_t kFlagBase = 0x0001;  // coded against a base; a base section follows
inline constexpr uint16_t kKnownFlags = kFlagBase;

// The checksum of chunk contents and of the whole original: XXH64 in version 1, XXH3-64 in
// version 2 (the index, the frame header check and the base section use XXH64 in both).
uint64_t content_checksum(uint16_t version, std::span<const uint8_t> bytes);
inline bool content_uses_xxh3(uint16_t version) {
  return version >= 2;
}

struct HeaderFields {
  uint16_t version = 0;
  uint16_t flags = 0;
};

std::vector<uint8_t> encode_header(uint16_t flags = 0);
// Throws kCorruptInput unless `bytes` is a header of a version this build reads with only known
// flags set; returns its version and flags.
HeaderFields check_header(std::span<const uint8_t> bytes);

// The frame header that precedes a chunk's payload in version 2 (codec, sizes, checksum of the
// original bytes, and a check of these fields); `kept` for a chunk a later copy chunk names.
std::vector<uint8_t> encode_frame_header(const ChunkEntry& chunk, bool kept = false);
size_t frame_header_size(const ChunkEntry& chunk);
// The end frame: its tag and the index size.
std::vector<uint8_t> encode_end_frame(uint64_t index_size);
size_t varint_size(uint64_t value);
// Checks a frame's sizes the way the index checks an entry's (chunk size limit, payload no larger
// than the original); throws kCorruptInput with `which` in the message.
void check_chunk_sizes(uint64_t original_size, uint64_t payload_size, const std::string& which);

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
// Version 2 also places each payload right after its frame header and the end frame right after
// the last payload. `flags` are the header's: with kFlagBase the index ends with the base section.
ArchiveIndex decode_index(std::span<const uint8_t> bytes, const Trailer& trailer, uint16_t version,
                          uint16_t flags = 0);

}  // namespace lcl::container
