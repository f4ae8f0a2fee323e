// store: the payload is the original bytes. Used for incompressible chunks and --store.
#include <cstring>

#include "codecs/store/store_codec.hpp"
#include "lcl/error.hpp"

namespace lcl {

namespace {

class StoreCodec final : public Codec {
 public:
  bool accepts(TypeId) const override { return true; }
  void encode(std::span<const uint8_t> input, const EncodeContext&, std::vector<uint8_t>& out,
              Workspace&) const override {
    out.insert(out.end(), input.begin(), input.end());
  }
  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out, Workspace&) const override {
    if (payload.size() != out.size())
      throw_corrupt("store payload holds " + std::to_string(payload.size()) + " bytes, expected " +
                    std::to_string(out.size()));
    if (!out.empty()) std::memcpy(out.data(), payload.data(), out.size());
  }
};

}  // namespace

const Codec& store_codec() {
  static const StoreCodec codec;
  return codec;
}

}  // namespace lcl
