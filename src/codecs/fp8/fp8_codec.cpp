// The fp8 codec (id 11): F8_E4M3 / F8_E5M2 chunks, see fp8_format.hpp for the payload.
#include <string>

#include <iterator>

#include "codecs/fp8/fp8_codec.hpp"
#include "codecs/fp8/fp8_coder.hpp"
#include "lcl/error.hpp"

namespace lcl {

static_assert(std::size(kFp8Versions) == 2 && kFp8Versions[0] == fp8_format::kVersionLanes32 &&
              kFp8Versions[1] == fp8_format::kVersionLanes64);

namespace {

class Fp8Codec final : public Codec {
 public:
  bool accepts(TypeId type) const override {
    fp8_format::Fp8Kind kind;
    return fp8_format::kind_of_type(type, kind);
  }
  void encode(std::span<const uint8_t> input, const EncodeContext& context,
              std::vector<uint8_t>& out, Workspace& workspace) const override {
    fp8_format::Fp8Kind kind;
    if (!fp8_format::kind_of_type(context.type, kind))
      throw Error(ErrorKind::kUsage, "fp8 codec: element type " + std::to_string(context.type) +
                                         " is not F8_E4M3 or F8_E5M2");
    fp8_format::encode_fp8(input, kind, out, workspace);
  }
  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    fp8_format::decode_fp8(payload, out, workspace);
  }
};

}  // namespace

const Codec& fp8_codec() {
  static const Fp8Codec codec;
  return codec;
}

}  // namespace lcl
