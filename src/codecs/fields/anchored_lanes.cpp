#include "codecs/fields/anchored_lanes.hpp"
#include "util/endian.hpp"

namespace lcl::quant::anchored_lanes {

std::span<const uint8_t> read_stream(ByteReader& in, uint32_t (&x)[kLanes], const uint8_t*& p) {
  const uint64_t size = in.varint_at_most(in.remaining(), "lane stream size");
  const auto stream = in.bytes(size);
  if (stream.size() < 4 * kLanes || stream.size() % 2 != 0) in.fail("lane stream truncated");
  p = stream.data();
  for (int l = 0; l < kLanes; ++l, p += 4) {
    x[l] = load_u32le(p);
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

void check_tables(ByteReader& in, const FieldTables& tables, std::span<const uint8_t> positions,
                  uint32_t group_size, std::span<const uint8_t> keys, unsigned shift) {
  if (tables.tables.size() > 256 || shift > 1)
    throw Error(ErrorKind::kUsage, "lane groups: over 256 tables or a key shift above 1");
  for (size_t t = 1; t < tables.tables.size(); t += 2) {
    const auto& freq = tables.tables[t].freq;
    if (!freq.empty() && freq[0] != 0)
      in.fail("a value before its group's anchor equals the minimum");
  }
  // Which tables are missing (those past the count too), then one branch-free test per group.
  uint8_t missing[256];
  for (size_t t = 0; t < 256; ++t)
    missing[t] = t >= tables.tables.size() || tables.tables[t].freq.empty();
  bool bad = false;
  if (kernels::avx512_available()) {
    if constexpr (kernels::kAvx512Built)
      bad = needs_missing_table_avx512(missing, keys.data(), shift, positions.data(),
                                       positions.size(), group_size);
  } else {
    uint8_t any = 0;
    for (size_t g = 0; g < positions.size(); ++g) {
      const uint32_t position = positions[g];
      const size_t first = size_t{keys[g]} << shift;
      any |=
          (missing[first] & (position != group_size - 1)) | (missing[first + 1] & (position != 0));
    }
    bad = any != 0;
  }
  if (bad) in.fail("a residual table is missing");
}

}  // namespace lcl::quant::anchored_lanes
