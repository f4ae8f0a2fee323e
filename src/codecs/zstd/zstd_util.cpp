#include "codecs/zstd/zstd_util.hpp"

#include <zstd.h>

#include <memory>
#include <new>
#include <string>

#include "lcl/error.hpp"

namespace lcl {

void ZstdContexts::Free::operator()(ZSTD_CCtx* c) const {
  ZSTD_freeCCtx(c);
}
void ZstdContexts::Free::operator()(ZSTD_DCtx* d) const {
  ZSTD_freeDCtx(d);
}

void zstd_compress_append(std::span<const uint8_t> input, int level, std::vector<uint8_t>& out,
                          ZstdContexts& contexts) {
  if (!contexts.compress) contexts.compress.reset(ZSTD_createCCtx());
  if (!contexts.compress) throw std::bad_alloc();
  ZSTD_CCtx* const context = contexts.compress.get();
  size_t start = out.size();
  out.resize(start + ZSTD_compressBound(input.size()));
  ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 1);
  ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 0);  // the container checksums
  size_t n =
      ZSTD_compress2(context, out.data() + start, out.size() - start, input.data(), input.size());
  if (ZSTD_isError(n))
    throw Error(ErrorKind::kUnsupported, std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(start + n);
}

void zstd_decompress_exact(std::span<const uint8_t> frame, std::span<uint8_t> out,
                           ZstdContexts& contexts) {
  if (!contexts.decompress) contexts.decompress.reset(ZSTD_createDCtx());
  if (!contexts.decompress) throw std::bad_alloc();
  ZSTD_DCtx* const context = contexts.decompress.get();
  unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN)
    throw_corrupt("zstd frame header invalid");
  if (declared != out.size())
    throw_corrupt("zstd frame declares " + std::to_string(declared) + " bytes, expected " +
                  std::to_string(out.size()));
  // Bound the window so a hostile frame cannot make the decoder allocate more than it needs.
  ZSTD_DCtx_reset(context, ZSTD_reset_session_and_parameters);
  ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, 27);
  size_t n = ZSTD_decompressDCtx(context, out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) throw_corrupt(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != out.size()) throw_corrupt("zstd frame decoded to the wrong size");
}

}  // namespace lcl
