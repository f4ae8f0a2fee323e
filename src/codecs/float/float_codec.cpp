// The float codec (id 2): BF16 / F16 / F32 chunks, see float_format.hpp for the payload.
#include <iterator>
#include <string>

#include "codecs/float/float_codec.hpp"
#include "codecs/float/float_coder.hpp"
#include "lcl/error.hpp"

namespace lcl {

static_assert(std::size(kFloatVersions) == 4 &&
              kFloatVersions[0] == float_format::kVersionBytewiseTable &&
              kFloatVersions[1] == float_format::kVersionBytewiseTableLowBits &&
              kFloatVersions[2] == float_format::kVersion &&
              kFloatVersions[3] == float_format::kVersionLowBits);

namespace {

class FloatCodec final : public Codec {
 public:
  bool accepts(TypeId type) const override { return float_format::layout_of_type(type) != nullptr; }
  void encode(std::span<const uint8_t> input, const EncodeContext& context,
              std::vector<uint8_t>& out, Workspace& workspace) const override {
    const float_format::FloatLayout* layout = float_format::layout_of_type(context.type);
    if (!layout)
      throw Error(ErrorKind::kUsage, "float codec: element type " + std::to_string(context.type) +
                                         " is not BF16, F16 or F32");
    float_format::encode_floats(input, *layout, out, workspace);
  }
  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    float_format::decode_floats(payload, out, workspace);
  }
};

}  // namespace

const Codec& float_codec() {
  static const FloatCodec codec;
  return codec;
}

}  // namespace lcl
