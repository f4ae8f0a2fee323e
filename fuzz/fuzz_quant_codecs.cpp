// libFuzzer target for the quantized codecs (q4k, q6k, q8_0, q5k, q3k, mxfp4, ggml-blocks) and the
// segments codec that groups them. The first byte picks the codec (and for ggml-blocks the block
// type), the second the number of blocks (for segments: how the input is cut into pieces), the rest
// is:
// - even selector: a payload to decode, which must either decode or throw lcl::Error
//   (kCorruptInput), never crash or read out of bounds;
// - odd selector: block bytes to encode, which must decode back to the same bytes.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "codecs/ggml_blocks/ggml_block_codec.hpp"
#include "codecs/mxfp4/mxfp4_codec.hpp"
#include "codecs/q3k/q3k_codec.hpp"
#include "codecs/q4k/q4k_codec.hpp"
#include "codecs/q5k/q5k_codec.hpp"
#include "codecs/q6k/q6k_codec.hpp"
#include "codecs/q8_0/q8_0_codec.hpp"
#include "codecs/segments/segments_codec.hpp"
#include "formats/ggml/ggml_block_layouts.hpp"
#include "lcl/codec.hpp"
#include "lcl/error.hpp"

namespace {

struct Target {
  const lcl::Codec* codec;
  lcl::TypeId type;
  size_t block_bytes;
};

Target pick(uint8_t selector) {
  switch ((selector >> 1) % 8) {
    case 5:
      return {&lcl::q5k_codec(), lcl::type::kQ5_K, 176};
    case 6:
      return {&lcl::q3k_codec(), lcl::type::kQ3_K, 110};
    case 7:
      return {&lcl::mxfp4_codec(), lcl::type::kMXFP4, 17};
    case 4:
      return {&lcl::segments_codec(), lcl::type::kQ4_K, 1};
    case 0:
      return {&lcl::q4k_codec(), lcl::type::kQ4_K, 144};
    case 1:
      return {&lcl::q6k_codec(), lcl::type::kQ6_K, 210};
    case 2:
      return {&lcl::q8_0_codec(), lcl::type::kQ8_0, 34};
    default: {  // 3
      const auto layouts = lcl::ggml::all_block_layouts();
      const auto& layout = layouts[(selector >> 3) % layouts.size()];
      return {&lcl::ggml_block_codec(), layout.type, layout.block_bytes};
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const Target target = pick(data[0]);
  const size_t blocks = data[1] % 65;
  std::span<const uint8_t> rest(data + 2, size - 2);
  if (data[0] & 1) {
    const size_t whole = rest.size() / target.block_bytes * target.block_bytes;
    auto input = rest.first(whole);
    std::vector<uint8_t> payload;
    lcl::EncodeContext context;
    context.type = target.type;
    context.level = 1;
    if (target.codec == &lcl::segments_codec()) {
      // Q4_K blocks, a few plain bytes, more Q4_K blocks, the rest plain: two groups, four pieces.
      const size_t first = std::min<size_t>(data[1] % 4, input.size() / 144) * 144;
      const size_t gap = std::min<size_t>(7, input.size() - first);
      const size_t second = (input.size() - first - gap) / 144 / 2 * 144;
      const size_t tail = input.size() - first - gap - second;
      for (auto [type, n] : {std::pair{lcl::type::kQ4_K, first},
                             {lcl::type::kOpaque, gap},
                             {lcl::type::kQ4_K, second},
                             {lcl::type::kOpaque, tail}})
        if (n > 0) context.segments.push_back({type, n});
    }
    target.codec->encode(input, context, payload);
    std::vector<uint8_t> back(input.size());
    target.codec->decode(payload, back);
    if (!std::equal(back.begin(), back.end(), input.begin())) std::abort();
    return 0;
  }
  std::vector<uint8_t> out(blocks * target.block_bytes);
  try {
    target.codec->decode(rest, out);
  } catch (const lcl::Error& e) {
    if (e.kind() != lcl::ErrorKind::kCorruptInput) std::abort();
  }
  return 0;
}
