// Any bytes given to the GGUF parser: either a valid layout or lcl::Error(kCorruptInput);
// read_layout must never throw on memory input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "lcl/error.hpp"
#include "lcl/layout.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lcl::MemorySource source(std::span<const uint8_t>(data, size), "fuzz");
  try {
    lcl::Layout layout = lcl::parse_gguf(source);
    lcl::validate_layout(layout);
  } catch (const lcl::Error& e) {
    if (e.kind() != lcl::ErrorKind::kCorruptInput) std::abort();
  }
  lcl::Layout layout = lcl::read_layout(source);  // must not throw for an in-memory source
  lcl::validate_layout(layout);
  return 0;
}
