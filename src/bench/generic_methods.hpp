#pragma once
// The methods that need no knowledge of the weights: general-purpose compressors applied to the
// bytes of each tensor (zstd -3, zstd -19, xz -9) or of a whole file (zstd -3, zstd -19, xz -9),
// and "lcl-tensor-alone", our codecs on one tensor at a time as the compressor would route it
// (the "lcl" rows, what `lcl compress` writes, come from whole_file_methods.hpp).
#include <memory>

#include "bench/method.hpp"
#include "lcl/codec.hpp"

namespace lcl::bench {

// zstd at `level` on each tensor (scope kTensor) or on the whole file (scope kFile).
std::unique_ptr<Method> make_zstd_method(int level, MethodScope scope);
// xz / LZMA2 preset 9 with a CRC64 check, as `xz -9` writes it ("xz-9" per tensor, "file-xz").
std::unique_ptr<Method> make_xz_method(MethodScope scope = MethodScope::kTensor);
// "lcl-tensor-alone": each tensor is cut into chunks like the planner cuts it (block aligned, at
// most PlanOptions::chunk_size) and each chunk goes to the codec the compressor would use for the
// tensor's type: the first registered codec with id >= 2 that accepts it, else zstd; like the
// compressor, a chunk the codec declines goes to zstd and one that would not shrink is stored.
std::unique_ptr<Method> make_lcl_method();

// The codec "lcl" uses for a type (for reports: which of our codecs produced a row).
const Codec* lcl_codec_for(TypeId type);

}  // namespace lcl::bench
