#pragma once
// zstd helpers shared by the zstd codec and by codecs that fall back to zstd for a stream.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace lcl {

// A compression and a decompression context, created on first use and kept by a workspace
// (lcl/workspace.hpp): a context costs its allocation and set-up (hundreds of KiB at level 3),
// which a chunk should not pay each time.
struct ZstdContexts {
  struct Free {
    void operator()(ZSTD_CCtx_s* c) const;
    void operator()(ZSTD_DCtx_s* d) const;
  };
  std::unique_ptr<ZSTD_CCtx_s, Free> compress;
  std::unique_ptr<ZSTD_DCtx_s, Free> decompress;
};

// Appends one zstd frame (content size recorded) of `input` at `level` to `out`.
void zstd_compress_append(std::span<const uint8_t> input, int level, std::vector<uint8_t>& out,
                          ZstdContexts& contexts);
// Decodes one frame that must produce exactly out.size() bytes; throws kCorruptInput otherwise.
void zstd_decompress_exact(std::span<const uint8_t> frame, std::span<uint8_t> out,
                           ZstdContexts& contexts);

}  // namespace lcl
