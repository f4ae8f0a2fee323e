#include "bench/generic_methods.hpp"

#include <lzma.h>
#include <zstd.h>

#include <algorithm>

#include "codecs/chunk_encoder.hpp"
#include "lcl/codec.hpp"
#include "lcl/error.hpp"
#include "util/byte_io.hpp"

namespace lcl::bench {

namespace {

class ZstdMethod final : public Method {
 public:
  ZstdMethod(int level, MethodScope scope) : level_(level), scope_(scope) {}
  std::string name() const override {
    return (scope_ == MethodScope::kFile ? "file-zstd-" : "zstd-") + std::to_string(level_);
  }
  MethodScope scope() const override { return scope_; }
  bool applies_to(const TensorInfo&) const override { return true; }
  std::vector<uint8_t> compress(std::span<const uint8_t> input, const TensorInfo&) const override {
    std::vector<uint8_t> out(ZSTD_compressBound(input.size()));
    size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), level_);
    if (ZSTD_isError(n))
      throw Error(ErrorKind::kUnsupported, std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
  }
  void decompress(std::span<const uint8_t> payload, const TensorInfo&,
                  std::span<uint8_t> out) const override {
    size_t n = ZSTD_decompress(out.data(), out.size(), payload.data(), payload.size());
    if (ZSTD_isError(n)) throw_corrupt(std::string("zstd: ") + ZSTD_getErrorName(n));
    if (n != out.size()) throw_corrupt("zstd: decoded size differs from the original");
  }

 private:
  int level_;
  MethodScope scope_;
};

class XzMethod final : public Method {
 public:
  explicit XzMethod(MethodScope scope) : scope_(scope) {}
  std::string name() const override { return scope_ == MethodScope::kFile ? "file-xz" : "xz-9"; }
  MethodScope scope() const override { return scope_; }
  bool applies_to(const TensorInfo&) const override { return true; }
  std::vector<uint8_t> compress(std::span<const uint8_t> input, const TensorInfo&) const override {
    lzma_options_lzma options;
    if (lzma_lzma_preset(&options, 9))
      throw Error(ErrorKind::kUnsupported, "xz: preset 9 unavailable");
    // A dictionary larger than the input finds nothing more; capping it keeps the encoder's
    // memory proportional to the tensor (preset 9 alone reserves ~670 MiB) without changing a
    // single output byte's worth of matches.
    options.dict_size = static_cast<uint32_t>(
        std::clamp<uint64_t>(input.size(), LZMA_DICT_SIZE_MIN, options.dict_size));
    lzma_filter filters[2] = {{LZMA_FILTER_LZMA2, &options}, {LZMA_VLI_UNKNOWN, nullptr}};
    std::vector<uint8_t> out(lzma_stream_buffer_bound(input.size()));
    size_t out_pos = 0;
    lzma_ret r = lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC64, nullptr, input.data(),
                                           input.size(), out.data(), &out_pos, out.size());
    if (r != LZMA_OK)
      throw Error(ErrorKind::kUnsupported, "xz: encoder error " + std::to_string(r));
    out.resize(out_pos);
    return out;
  }
  void decompress(std::span<const uint8_t> payload, const TensorInfo&,
                  std::span<uint8_t> out) const override {
    uint64_t memlimit = UINT64_MAX;
    size_t in_pos = 0, out_pos = 0;
    lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, nullptr, payload.data(), &in_pos,
                                           payload.size(), out.data(), &out_pos, out.size());
    if (r != LZMA_OK || out_pos != out.size() || in_pos != payload.size())
      throw_corrupt("xz: payload does not decode to the original size (" + std::to_string(r) + ")");
  }

 private:
  MethodScope scope_;
};

// Chunk size rounded down to whole blocks of the type (a block codec gets whole blocks only).
uint64_t chunk_bytes_for(TypeId type) {
  uint64_t chunk = PlanOptions{}.chunk_size;
  if (const TypeInfo* info = find_type(type); info && info->block_bytes > 0)
    chunk = std::max<uint64_t>(info->block_bytes, chunk / info->block_bytes * info->block_bytes);
  return chunk;
}

class LclMethod final : public Method {
 public:
  std::string name() const override { return "lcl-tensor-alone"; }
  MethodScope scope() const override { return MethodScope::kTensor; }
  bool applies_to(const TensorInfo&) const override {
    return lcl_codec_for(type::kOpaque) != nullptr;
  }
  // Per chunk, as the compressor does it (encode_chunk_payload, shared with
  // container/compress.cpp). Payload: per chunk the codec id, the payload length, the payload
  // (the chunk table of a .lcl file carries the same facts).
  std::vector<uint8_t> compress(std::span<const uint8_t> input,
                                const TensorInfo& tensor) const override {
    const Codec* routed = lcl_codec_for(tensor.type);
    EncodeContext context;
    context.type = routed->id() == codec_id::kZstd ? type::kOpaque : tensor.type;
    context.tensor = &tensor;
    context.level = PlanOptions{}.zstd_level;
    std::vector<uint8_t> out;
    ByteWriter writer(out);
    uint64_t chunk = chunk_bytes_for(tensor.type);
    std::vector<uint8_t> payload;
    Workspace workspace;
    for (uint64_t offset = 0; offset < input.size(); offset += chunk) {
      auto piece = input.subspan(offset, std::min<uint64_t>(chunk, input.size() - offset));
      const CodecId used = encode_chunk_payload(piece, *routed, context, payload, workspace);
      const bool store = used == codec_id::kStore;
      writer.u16(used);
      writer.varint(store ? piece.size() : payload.size());
      writer.bytes(store ? piece : std::span<const uint8_t>(payload));
    }
    return out;
  }
  void decompress(std::span<const uint8_t> payload, const TensorInfo& tensor,
                  std::span<uint8_t> out) const override {
    ByteReader reader(payload, "lcl method payload");
    uint64_t chunk = chunk_bytes_for(tensor.type);
    Workspace workspace;
    for (uint64_t offset = 0; offset < out.size(); offset += chunk) {
      const Codec* codec = find_codec(reader.u16());
      if (!codec) reader.fail("unknown codec id");
      uint64_t size = reader.varint_at_most(reader.remaining(), "chunk payload size");
      codec->decode(reader.bytes(size),
                    out.subspan(offset, std::min<uint64_t>(chunk, out.size() - offset)), workspace);
    }
    if (!reader.at_end()) reader.fail("bytes after the last chunk");
  }
};

}  // namespace

const Codec* lcl_codec_for(TypeId type) {
  if (type != type::kOpaque)
    if (const Codec* codec = specialised_codec_for(type)) return codec;
  return find_codec(codec_id::kZstd);
}

std::unique_ptr<Method> make_zstd_method(int level, MethodScope scope) {
  return std::make_unique<ZstdMethod>(level, scope);
}
std::unique_ptr<Method> make_xz_method(MethodScope scope) {
  return std::make_unique<XzMethod>(scope);
}
std::unique_ptr<Method> make_lcl_method() {
  return std::make_unique<LclMethod>();
}

}  // namespace lcl::bench
