// The rANS entry points of rans.hpp on top of the interleaved core (rans_interleaved.hpp).
#include <string>

#include "entropy/rans.hpp"
#include "entropy/rans_interleaved.hpp"

namespace lcl::entropy {

namespace {

// Lanes of the public coder (a format constant of every stream it writes, which the quantized
// codecs' payloads hold): enough independent states to overlap their dependency chains, few
// enough that their headers stay small (bench_float's rans_* cases compare lane counts). The float
// codec drives the interleaved core itself with its own lane count (codecs/float/float_format.hpp).
constexpr int kLanes = 8;

[[noreturn]] void usage(const std::string& why) {
  throw Error(ErrorKind::kUsage, why);
}

const EncoderSymbol& checked_symbol(const EncoderTable& t, uint16_t s) {
  if (s >= t.present.size() || !t.present[s])
    usage("rANS encode: symbol " + std::to_string(s) + " has zero frequency");
  return t.symbols[s];
}

}  // namespace

void rans_encode(std::span<const uint16_t> symbols, const FrequencyTable& table,
                 std::vector<uint8_t>& out) {
  if (symbols.empty()) return;
  const EncoderTable t = make_encoder_table(table);
  encode_interleaved<kLanes>(
      symbols.size(),
      [&](size_t i) -> const EncoderSymbol& { return checked_symbol(t, symbols[i]); }, out);
}

void rans_decode(std::span<const uint8_t> in, const FrequencyTable& table,
                 std::span<uint16_t> symbols) {
  if (symbols.empty()) {
    decode_interleaved<kLanes>(in, 0, [](size_t, uint32_t&) {});
    return;
  }
  const DecoderTable t = make_decoder_table(table);
  if (t.slots.empty()) throw_corrupt("rANS stream: symbols coded with an empty table");
  const DecoderSlot* slots = t.slots.data();
  const uint32_t bits = t.precision_bits;
  uint16_t* outp = symbols.data();
  decode_interleaved<kLanes>(
      in, symbols.size(), [&](size_t i, uint32_t& x) { outp[i] = decode_symbol(x, slots, bits); });
}

void rans_encode_contexts(std::span<const uint16_t> symbols, std::span<const uint8_t> contexts,
                          std::span<const FrequencyTable> tables, std::vector<uint8_t>& out) {
  if (contexts.size() != symbols.size()) usage("rANS encode: one context per symbol required");
  if (symbols.empty()) return;
  std::vector<EncoderTable> t;
  t.reserve(tables.size());
  for (const FrequencyTable& table : tables) t.push_back(make_encoder_table(table));
  encode_interleaved<kLanes>(
      symbols.size(),
      [&](size_t i) -> const EncoderSymbol& {
        if (contexts[i] >= t.size()) usage("rANS encode: context without a table");
        return checked_symbol(t[contexts[i]], symbols[i]);
      },
      out);
}

void rans_decode_contexts(std::span<const uint8_t> in, std::span<const uint8_t> contexts,
                          std::span<const FrequencyTable> tables, std::span<uint16_t> symbols) {
  if (contexts.size() != symbols.size()) usage("rANS decode: one context per symbol required");
  if (symbols.empty()) {
    decode_interleaved<kLanes>(in, 0, [](size_t, uint32_t&) {});
    return;
  }
  std::vector<DecoderTable> t;
  t.reserve(tables.size());
  for (const FrequencyTable& table : tables) t.push_back(make_decoder_table(table));
  uint16_t* outp = symbols.data();
  decode_interleaved<kLanes>(in, symbols.size(), [&](size_t i, uint32_t& x) {
    if (contexts[i] >= t.size()) throw_corrupt("rANS stream: context without a table");
    const DecoderTable& d = t[contexts[i]];
    if (d.slots.empty()) throw_corrupt("rANS stream: symbol coded with an empty table");
    outp[i] = decode_symbol(x, d.slots.data(), d.precision_bits);
  });
}

}  // namespace lcl::entropy
