#include "codecs/anchored_lanes.hpp"

namespace lcl::quant::anchored_lanes {

std::span<const uint8_t> read_stream(ByteReader& in, uint32_t (&x)[kLanes], const uint8_t*& p) {
  const uint64_t size = in.varint_at_most(in.remaining(), "lane stream size");
  const auto stream = in.bytes(size);
  if (stream.size() < 4 * kLanes || stream.size() % 2 != 0) in.fail("lane stream truncated");
  p = stream.data();
  for (int l = 0; l < kLanes; ++l, p += 4) {
    x[l] = entropy::load_u32le(p);
    if (x[l] < entropy::kStateLow) in.fail("invalid initial rANS state");
  }
  return stream;
}

void read_carried_words(ByteReader& in, const uint32_t (&x)[kLanes], int carried_lanes,
                        uint16_t (&words)[kLanes]) {
  for (int l = 0; l < kLanes; ++l) {
    if (x[l] - entropy::kStateLow > (l < carried_lanes ? 0xFFFFu : 0u))
      in.fail("final rANS state mismatch");
    words[l] = static_cast<uint16_t>(x[l]);
  }
}

}  // namespace lcl::quant::anchored_lanes
