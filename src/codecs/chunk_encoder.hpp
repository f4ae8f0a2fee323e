#pragma once
// How every chunk of a .lcl file is encoded, shared by the compressor and the benchmark's "lcl"
// method so that the two can never disagree.
#include <cstdint>
#include <span>
#include <vector>

#include "lcl/codec.hpp"

namespace lcl {

// Chunks up to this size that a specialised codec took are also tried with zstd, and the smaller
// payload is kept: small tensors (norm vectors, biases) often repeat values, which zstd finds and
// an iid entropy coder cannot. Larger chunks are weight matrices, where the specialised codecs win
// and a second encoder would only cost time.
inline constexpr uint64_t kGenericTrialBytes = 256 * 1024;

// Larger chunks are also tried with zstd when zstd -1 shrinks a 64 KiB sample of them at least
// this much: constant or nearly constant tensors (zeros, a fill value with a few exceptions),
// whose runs zstd codes in almost nothing while a per-value entropy coder pays for every value
// (64 MiB of bf16 zeros: 16x without the trial; see README). Weight matrices sample at about
// 1.1-1.4x and skip the trial, which costs one zstd -1 pass over 1/64 of the chunk.
inline constexpr double kZstdTrialSampleRatio = 4.0;
bool zstd_may_win(std::span<const uint8_t> chunk, Workspace& workspace);

// Encodes `chunk` with `routed` into `payload` (replacing its contents) and returns the codec that
// produced it: `routed`; zstd when `routed` declines the bytes (ErrorKind::kUnsupported) or, for
// small chunks, when zstd is smaller; store (with `payload` left empty: the payload is the chunk
// itself) when nothing shrinks the bytes. Small chunks, and those whose sample zstd shrinks
// well, are also tried with zstd, and the smaller payload is kept.
CodecId encode_chunk_payload(std::span<const uint8_t> chunk, const Codec& routed,
                             const EncodeContext& context, std::vector<uint8_t>& payload,
                             Workspace& workspace);

}  // namespace lcl
