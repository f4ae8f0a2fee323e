// The delta codec (id 12): a chunk given the same bytes of a base model, see delta_format.hpp.
#include "codecs/delta/delta_codec.hpp"

#include <iterator>

#include "codecs/delta/delta_coder.hpp"
#include "codecs/delta/delta_format.hpp"
#include "lcl/error.hpp"

namespace lcl {

static_assert(std::size(kDeltaVersions) == 2 &&
              kDeltaVersions[0] == delta_format::kVersionWithoutBlocks &&
              kDeltaVersions[1] == delta_format::kVersion);

namespace {

class DeltaCodec final : public Codec {
 public:
  // Only through a plan that names a reference: never chosen by type alone.
  bool accepts(TypeId) const override { return false; }
  void encode(std::span<const uint8_t> input, const EncodeContext& context,
              std::vector<uint8_t>& out, Workspace& workspace) const override {
    if (context.reference.size() != input.size())
      throw Error(ErrorKind::kUnsupported, "delta codec: no reference bytes for this chunk");
    delta_format::encode_delta(input, context.reference, context.reference_range, context.type,
                               context.level, out, workspace);
  }
  void decode(std::span<const uint8_t>, std::span<uint8_t>, Workspace&) const override {
    throw_corrupt("delta payload decoded without its reference (the base model)");
  }
  std::optional<ReferenceRange> reference(std::span<const uint8_t> payload,
                                          uint64_t chunk_size) const override {
    return delta_format::read_reference(payload, chunk_size);
  }
  void decode_with_reference(std::span<const uint8_t> payload, std::span<const uint8_t> reference,
                             std::span<uint8_t> out, Workspace& workspace) const override {
    delta_format::decode_delta(payload, reference, out, workspace);
  }
};

}  // namespace

const Codec& delta_codec() {
  static const DeltaCodec codec;
  return codec;
}

}  // namespace lcl
