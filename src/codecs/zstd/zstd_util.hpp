#pragma once
// zstd helpers shared by the zstd codec and by codecs that fall back to zstd for a stream.
#include <cstdint>
#include <span>
#include <vector>

namespace lcl {

// Appends one zstd frame (content size recorded) of `input` at `level` to `out`. Reuses a
// per-thread compression context.
void zstd_compress_append(std::span<const uint8_t> input, int level, std::vector<uint8_t>& out);
// Decodes one frame that must produce exactly out.size() bytes; throws kCorruptInput otherwise.
void zstd_decompress_exact(std::span<const uint8_t> frame, std::span<uint8_t> out);

}  // namespace lcl
