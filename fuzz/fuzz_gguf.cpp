// Any bytes given to the GGUF parser: either a valid layout or lcl::Error(kCorruptInput).
#include "layout_parser_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_layout_parser(data, size,
                            [](lcl::MemorySource& source) { return lcl::parse_gguf(source); });
}
