// Fp8 codec decoder: the table, then the rANS stream, whole lane groups by the AVX2 kernel where
// the CPU has it and by the portable loop otherwise (the same bytes either way).
#include <cstring>
#include <string>

#include "codecs/codec_scratch.hpp"
#include "codecs/fp8/fp8_coder.hpp"
#include "entropy/compact_table.hpp"
#include "entropy/rans_interleaved.hpp"
#include "util/byte_io.hpp"
#include "util/kernel_dispatch.hpp"

namespace lcl::fp8_format {

namespace {

// Unused in builds without kernels (LCL_PORTABLE).
[[maybe_unused]] PackedSlots pack_slots(const entropy::DecoderTable& table) {
  PackedSlots packed;
  packed.precision_bits = table.precision_bits;
  packed.slots.resize(table.slots.size());
  for (size_t j = 0; j < table.slots.size(); ++j) {
    const entropy::DecoderSlot& d = table.slots[j];
    packed.slots[j] = d.symbol | (d.freq - 1) << 8 | uint32_t{d.offset} << 20;
  }
  return packed;
}

// The stream and the stash of a payload coded with L lanes, into out.
template <int L>
void decode_lanes(ByteReader& in, const entropy::FrequencyTable& table,
                  const entropy::DecoderTable& decoder, Fp8DecodeScratch& scratch,
                  std::span<uint8_t> out) {
  const uint64_t n = out.size();
  const std::span<const uint8_t> stream = in.bytes(in.remaining());
  const entropy::DecoderSlot* const slots = decoder.slots.data();
  const uint32_t precision = decoder.precision_bits;
  uint8_t* const dst = out.data();
  const uint64_t stashed = stashed_bytes(n, L);
  const uint64_t coded = n - stashed;
  uint32_t final[L];
  auto step = [slots, precision, dst](size_t i, uint32_t& x) {
    dst[i] = static_cast<uint8_t>(entropy::decode_symbol(x, slots, precision));
  };
  auto group = [&step](size_t i, uint32_t(&x)[L], const uint8_t*& p) {
#pragma GCC unroll 64
    for (int l = 0; l < L; ++l) {
      step(i + l, x[l]);
      entropy::renormalize(x[l], p);
    }
  };
  bool packable = true;
  for (uint32_t f : table.freq) packable &= f <= kMaxPackedFrequency;
  bool decoded = false;
  if constexpr (kernels::kAvx512Built) {  // the kernel exists only in builds with the kernels
    if (packable && kernels::avx2_available()) {
      PackedSlots& packed = scratch.packed;
      packed = pack_slots(decoder);
      entropy::decode_interleaved_bulk<L>(
          stream, coded, step, group,
          [&](uint32_t(&x)[L], const uint8_t*& p, const uint8_t* end) {
            return decode_groups_avx2(packed, x, p, end, dst, coded);
          },
          final);
      decoded = true;
    }
  }
  if (!decoded)
    entropy::decode_interleaved_bulk<L>(
        stream, coded, step, group,
        [](uint32_t(&)[L], const uint8_t*&, const uint8_t*) { return size_t{0}; }, final);
  // The final states hold the stashed bytes (2^16 + two bytes each, zero past the stash).
  uint8_t stash[2 * L];
  for (int l = 0; l < L; ++l) {
    if (final[l] >> 16 != 1) in.fail("rANS final state out of range");
    stash[2 * l] = static_cast<uint8_t>(final[l]);
    stash[2 * l + 1] = static_cast<uint8_t>(final[l] >> 8);
  }
  for (size_t j = stashed; j < sizeof stash; ++j)
    if (stash[j] != 0) in.fail("rANS final state mismatch");
  std::memcpy(dst + coded, stash, stashed);
}

}  // namespace

void decode_fp8(std::span<const uint8_t> payload, std::span<uint8_t> out, Workspace& workspace) {
  Fp8DecodeScratch& scratch = workspace.scratch().fp8_decode;
  ByteReader in(payload, "fp8 payload");
  const uint8_t version = in.u8();
  if (version != kVersionLanes32 && version != kVersionLanes64) in.fail("unknown version");
  if (in.u8() > static_cast<uint8_t>(Fp8Kind::kE5M2)) in.fail("unknown fp8 kind");
  const uint64_t n = in.varint_at_most(out.size(), "element count");
  if (n != out.size()) in.fail("size does not match the output");
  if (n == 0) {
    if (!in.at_end()) in.fail("trailing bytes");
    return;
  }
  const entropy::FrequencyTable table = entropy::read_compact_table(in, kAlphabet);
  if (table.freq.size() != kAlphabet) in.fail("table alphabet is not 256");
  if (table.precision_bits < kMinPrecision || table.precision_bits > kMaxPrecision)
    in.fail("precision outside [10, 14]");
  entropy::DecoderTable& decoder = scratch.decoder;
  decoder = entropy::make_decoder_table(table);
  if (decoder.slots.empty()) in.fail("empty symbol table");
  if (version == kVersionLanes32)
    decode_lanes<kLanesV1>(in, table, decoder, scratch, out);
  else
    decode_lanes<kLanesV2>(in, table, decoder, scratch, out);
}

}  // namespace lcl::fp8_format
