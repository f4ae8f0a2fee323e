// Archive reader on arbitrary bytes: open, decode everything, extract every tensor, read through
// the original-bytes view. Any lcl::Error is a correct answer; a crash, leak or sanitizer report
// is a bug.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "lcl/container.hpp"
#include "lcl/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    std::vector<uint8_t> bytes(data, data + size);
    std::shared_ptr<const lcl::Archive> archive =
        lcl::Archive::open(std::make_unique<lcl::MemorySource>(bytes, "fuzz.lcl"));
    // A tiny zstd frame may legitimately expand to 256 MiB; decoding such bombs is correct but
    // only slows the fuzzer down, so stop at the index for them.
    if (archive->index().original_size > (64u << 20)) return 0;
    for (const auto& tensor : archive->index().tensors) {
      try {
        archive->read_tensor(tensor.info.name);
      } catch (const lcl::Error&) {
      }
    }
    archive->decode_all(1, [](uint64_t, std::span<const uint8_t>) {});
    auto original = lcl::open_original(archive);
    std::vector<uint8_t> head(std::min<uint64_t>(original->size(), 64));
    original->read(0, head);
  } catch (const lcl::Error&) {
  }
  return 0;
}
