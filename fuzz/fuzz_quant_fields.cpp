// libFuzzer target: the quantized codecs' field reader (quant_fields: packed, rANS, sparse, and
// wide fields of 32 or 64 lanes, those through the AVX2 kernels where the CPU has them) on
// arbitrary bytes must either read the field or throw lcl::Error(kCorruptInput); never read or
// write out of bounds, never hang. Input layout: u8 alphabet - 1 (at least 2 symbols), u8 context
// count - 1, u8 log2 of the symbol count (capped at 17, so wide fields of 32,768+ symbols are
// reachable from small inputs; a 64-lane field may be of any length), then the field. Symbol i
// has context i % contexts.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "codecs/fields/quant_fields.hpp"
#include "codecs/fields/quant_scratch.hpp"
#include "lcl/error.hpp"
#include "lcl/workspace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lcl::Workspace workspace;  // read_field's scratch arrays, as a codec call provides them
  const lcl::quant::FieldScratchScope scope(workspace);
  try {
    lcl::ByteReader in({data, size});
    const uint32_t alphabet = std::max<uint32_t>(2, in.u8() + 1u);
    const uint32_t contexts = in.u8() + 1u;
    const size_t count = (size_t{1} << (in.u8() % 18)) - 1;
    std::vector<uint8_t> context(contexts > 1 ? count : 0);
    for (size_t i = 0; i < context.size(); ++i) context[i] = static_cast<uint8_t>(i % contexts);
    std::vector<uint16_t> symbols(count);
    lcl::quant::read_field(in, context, {alphabet, contexts}, symbols);
    for (uint16_t s : symbols)
      if (s >= alphabet) __builtin_trap();
  } catch (const lcl::Error& e) {
    if (e.kind() != lcl::ErrorKind::kCorruptInput) __builtin_trap();
  }
  return 0;
}
