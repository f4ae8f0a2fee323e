// The front-to-back reader on arbitrary bytes, fed in pieces as a pipe delivers them (the first
// input byte picks the piece size). Any lcl::Error is a correct answer; a crash, hang, leak,
// sanitizer report or unbounded allocation is a bug. Whatever decodes successfully must also
// decode, to the same bytes, through the random-access reader.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "lcl/container.hpp"
#include "lcl/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] * 37;
  std::vector<uint8_t> bytes(data + 1, data + size);
  lcl::VectorSink streamed;
  try {
    lcl::MemoryInputStream in(bytes, piece, "fuzz.lcl");
    lcl::decompress_stream(in, streamed, lcl::DecompressOptions{1, {}});
  } catch (const lcl::Error&) {
    return 0;
  }
  // Accepted by the stream reader: the random-access reader must agree byte for byte.
  auto archive = lcl::Archive::open(std::make_unique<lcl::MemorySource>(bytes, "fuzz.lcl"));
  std::vector<uint8_t> decoded;
  archive->decode_all(1, [&](uint64_t, std::span<const uint8_t> b) {
    decoded.insert(decoded.end(), b.begin(), b.end());
  });
  if (decoded != streamed.bytes()) __builtin_trap();
  return 0;
}
