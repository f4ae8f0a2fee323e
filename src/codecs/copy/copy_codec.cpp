// The copy codec (id 13): its payload only names an earlier chunk; the container materialises the
// bytes by decoding that chunk, so the codec alone cannot decode it.
#include "codecs/copy/copy_codec.hpp"

#include <cstdint>
#include <iterator>
#include <string>

#include "lcl/error.hpp"
#include "util/byte_io.hpp"

namespace lcl {

static_assert(std::size(kCopyVersions) == 1 && kCopyVersions[0] == copy_format::kVersion);

namespace copy_format {

void encode_copy(const CopySource& source, std::vector<uint8_t>& out) {
  ByteWriter w(out);
  w.u8(kVersion);
  w.varint(source.chunk);
  w.varint(source.offset);
}

CopySource read_copy_source(std::span<const uint8_t> payload, uint64_t chunk, uint64_t size) {
  ByteReader in(payload, "copy payload");
  const uint8_t version = in.u8();
  if (version != kVersion) in.fail("unknown version " + std::to_string(version));
  CopySource source;
  source.chunk = in.varint();
  source.offset = in.varint();
  if (source.chunk >= chunk)
    in.fail("names chunk " + std::to_string(source.chunk) + ", not one before chunk " +
            std::to_string(chunk));
  if (source.offset > UINT64_MAX - size) in.fail("range overflows");
  if (!in.at_end()) in.fail("trailing bytes");
  return source;
}

void check_copy_target(const CopySource& source, CodecId named_codec, uint64_t named_size,
                       uint64_t size) {
  const std::string named = "names chunk " + std::to_string(source.chunk);
  if (named_codec == codec_id::kCopy) throw_corrupt(named + ", itself a copy");
  if (source.offset + size > named_size) throw_corrupt(named + " and bytes beyond its end");
}

}  // namespace copy_format

namespace {

class CopyCodec final : public Codec {
 public:
  // Only through a plan that names an identical earlier chunk: never chosen by type.
  bool accepts(TypeId) const override { return false; }
  void encode(std::span<const uint8_t>, const EncodeContext& context, std::vector<uint8_t>& out,
              Workspace&) const override {
    if (!context.copy_of)
      throw Error(ErrorKind::kUnsupported, "copy codec: the chunk names no earlier chunk");
    copy_format::encode_copy(*context.copy_of, out);
  }
  void decode(std::span<const uint8_t>, std::span<uint8_t>, Workspace&) const override {
    throw_corrupt("copy payload decoded outside its archive (it names another chunk's bytes)");
  }
};

}  // namespace

const Codec& copy_codec() {
  static const CopyCodec codec;
  return codec;
}

}  // namespace lcl
