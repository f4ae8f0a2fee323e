// libFuzzer target: reading a frequency table and decoding a rANS stream from arbitrary bytes must
// either succeed or throw lcl::Error(kCorruptInput); never read or write out of bounds, never hang.
// Input layout: u16 symbol count (LE), u8 mode (bit 0: context coder, bit 1: compact tables),
// then a serialised table (two for the context coder), then the stream.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "entropy/compact_table.hpp"
#include "entropy/rans.hpp"
#include "lcl/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    lcl::ByteReader in({data, size});
    const size_t count = in.u16();
    const uint8_t mode = in.u8();
    const bool contexts = mode & 1;
    auto read_table = [&](uint32_t max_alphabet) {
      return (mode & 2) ? lcl::entropy::read_compact_table(in, max_alphabet)
                        : lcl::entropy::read_frequency_table(in, max_alphabet);
    };
    std::vector<lcl::entropy::FrequencyTable> tables;
    tables.push_back(read_table(lcl::entropy::kMaxAlphabet));
    if (contexts) tables.push_back(read_table(300));
    auto stream = in.bytes(in.remaining());
    std::vector<uint16_t> symbols(count);
    if (contexts) {
      std::vector<uint8_t> ctx(count);
      for (size_t i = 0; i < count; ++i)
        ctx[i] = static_cast<uint8_t>((i * 7) % 3);  // 2 = no table
      lcl::entropy::rans_decode_contexts(stream, ctx, tables, symbols);
    } else {
      lcl::entropy::rans_decode(stream, tables[0], symbols);
    }
    // Decoded symbols must lie in the alphabet of the table that decoded them (a context without
    // a table must have made the decoder throw).
    for (size_t i = 0; i < count; ++i) {
      const size_t table = contexts ? (i * 7) % 3 : 0;
      if (table >= tables.size() || symbols[i] >= tables[table].freq.size()) __builtin_trap();
    }
  } catch (const lcl::Error& e) {
    if (e.kind() != lcl::ErrorKind::kCorruptInput) __builtin_trap();
  }
  return 0;
}
