// zstd: a standard zstd frame with the content size recorded. For metadata, padding, data of
// unknown type and as the fall-back of every other codec.
#include <zstd.h>

#include "codecs/codec_scratch.hpp"
#include "codecs/zstd/zstd_codec.hpp"
#include "codecs/zstd/zstd_util.hpp"
#include "lcl/error.hpp"

namespace lcl {

namespace {

class ZstdCodec final : public Codec {
 public:
  bool accepts(TypeId) const override { return true; }
  void encode(std::span<const uint8_t> input, const EncodeContext& context,
              std::vector<uint8_t>& out, Workspace& workspace) const override {
    zstd_compress_append(input, context.level, out, workspace.scratch().zstd);
  }
  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    zstd_decompress_exact(payload, out, workspace.scratch().zstd);
  }
};

}  // namespace

const Codec& zstd_codec() {
  static const ZstdCodec codec;
  return codec;
}

}  // namespace lcl
