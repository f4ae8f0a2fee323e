#pragma once
// The copy codec (id 13): a chunk whose bytes are those of an earlier chunk of the same archive
// (a tied embedding, a duplicated layer). The payload names that chunk; the container decodes it
// in its place (docs/FORMAT.md, copy).
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/codec.hpp"

namespace lcl {

const Codec& copy_codec();
// Payload versions the decoder accepts.
inline constexpr uint8_t kCopyVersions[] = {1};

namespace copy_format {

inline constexpr uint8_t kVersion = 1;

// Appends the payload of a chunk equal to bytes of an earlier chunk of the archive.
void encode_copy(const CopySource& source, std::vector<uint8_t>& out);
// Where the copy payload of chunk `chunk` (of `size` bytes) takes its bytes. Throws kCorruptInput
// unless the payload is exactly a version 1 payload naming a chunk before `chunk` (no self or
// forward reference) and a range that does not overflow; the container checks the range against
// the named chunk.
CopySource read_copy_source(std::span<const uint8_t> payload, uint64_t chunk, uint64_t size);
// Throws kCorruptInput unless the chunk `source` names (its codec and original size) can be
// copied from: not a copy itself (one step, never a chain or a cycle), and holding the `size`
// bytes named.
void check_copy_target(const CopySource& source, CodecId named_codec, uint64_t named_size,
                       uint64_t size);

}  // namespace copy_format

}  // namespace lcl
