// Float baselines (see float_baselines.hpp). Payloads: varint element count, the ragged tail
// verbatim, then the method's streams; each coded stream is a frequency table, a varint length
// and the rANS bytes.
#include "bench/float_baselines.hpp"

#include <cstring>
#include <string>

#include "codecs/float/float_format.hpp"
#include "entropy/bit_pack.hpp"
#include "entropy/rans.hpp"
#include "lcl/error.hpp"
#include "util/byte_io.hpp"

namespace lcl::bench {

namespace {

using float_format::FloatLayout;

const FloatLayout& layout_of(const TensorInfo& tensor) {
  const FloatLayout* layout = float_format::layout_of_type(tensor.type);
  if (!layout) throw Error(ErrorKind::kUsage, "float baseline applied to a non-float tensor");
  return *layout;
}

uint32_t element(std::span<const uint8_t> data, uint64_t i, uint32_t bytes) {
  uint32_t v = 0;
  std::memcpy(&v, data.data() + i * bytes, bytes);  // little-endian host
  return v;
}

// One order-0 coded stream of symbols < alphabet (alphabet <= 256 here).
void write_coded(std::span<const uint16_t> symbols, uint32_t alphabet, ByteWriter& out) {
  std::vector<uint64_t> counts(alphabet, 0);
  for (uint16_t s : symbols) ++counts[s];
  const auto table = entropy::normalize_frequencies(counts, 14);
  entropy::write_frequency_table(table, out);
  std::vector<uint8_t> stream;
  entropy::rans_encode(symbols, table, stream);
  out.varint(stream.size());
  out.bytes(stream);
}

void read_coded(ByteReader& in, uint32_t alphabet, std::span<uint16_t> symbols) {
  const auto table = entropy::read_frequency_table(in, alphabet);
  if (table.freq.size() != alphabet) in.fail("baseline table alphabet mismatch");
  const auto stream = in.bytes(in.varint_at_most(in.remaining(), "stream length"));
  entropy::rans_decode(stream, table, symbols);
}

// Common framing: element count and tail; returns n.
uint64_t write_header(std::span<const uint8_t> input, uint32_t bytes, ByteWriter& out) {
  const uint64_t n = input.size() / bytes;
  out.varint(n);
  out.bytes(input.subspan(n * bytes));  // the tail length follows from the output size
  return n;
}

uint64_t read_header(ByteReader& in, std::span<uint8_t> out, uint32_t bytes) {
  const uint64_t n = in.varint_at_most(out.size() / bytes, "element count");
  const uint64_t tail = out.size() - n * bytes;
  if (tail >= bytes) in.fail("element count does not match the output");
  const auto t = in.bytes(tail);
  if (tail) std::memcpy(out.data() + n * bytes, t.data(), tail);
  return n;
}

class FloatBaseline : public Method {
 public:
  MethodScope scope() const override { return MethodScope::kTensor; }
  bool applies_to(const TensorInfo& tensor) const override {
    return float_format::layout_of_type(tensor.type) != nullptr;
  }
};

class ZipnnLike final : public FloatBaseline {
 public:
  std::string name() const override { return "zipnn-like"; }
  std::vector<uint8_t> compress(std::span<const uint8_t> input,
                                const TensorInfo& tensor) const override {
    const FloatLayout& layout = layout_of(tensor);
    std::vector<uint8_t> payload;
    ByteWriter out(payload);
    const uint64_t n = write_header(input, layout.bytes, out);
    std::vector<uint16_t> plane(n);
    for (uint32_t b = layout.bytes; b-- > 0;) {  // most significant plane first
      for (uint64_t i = 0; i < n; ++i) plane[i] = input[i * layout.bytes + b];
      std::vector<uint8_t> coded;
      ByteWriter c(coded);
      write_coded(plane, 256, c);
      if (coded.size() < n) {
        out.u8(1);
        out.bytes(coded);
      } else {
        out.u8(0);
        for (uint16_t s : plane) out.u8(static_cast<uint8_t>(s));
      }
    }
    return payload;
  }
  void decompress(std::span<const uint8_t> payload, const TensorInfo& tensor,
                  std::span<uint8_t> out) const override {
    const FloatLayout& layout = layout_of(tensor);
    ByteReader in(payload, "zipnn-like payload");
    const uint64_t n = read_header(in, out, layout.bytes);
    std::vector<uint16_t> plane(n);
    for (uint32_t b = layout.bytes; b-- > 0;) {
      const uint8_t mode = in.u8();
      if (mode == 1) {
        read_coded(in, 256, plane);
      } else if (mode == 0) {
        const auto raw = in.bytes(n);
        for (uint64_t i = 0; i < n; ++i) plane[i] = raw[i];
      } else {
        in.fail("bad plane mode");
      }
      for (uint64_t i = 0; i < n; ++i) out[i * layout.bytes + b] = static_cast<uint8_t>(plane[i]);
    }
    if (!in.at_end()) in.fail("trailing bytes");
  }
};

class Dfloat11Like final : public FloatBaseline {
 public:
  std::string name() const override { return "dfloat11-like"; }
  std::vector<uint8_t> compress(std::span<const uint8_t> input,
                                const TensorInfo& tensor) const override {
    const FloatLayout& layout = layout_of(tensor);
    const uint32_t exp_bits = layout.sign_exp_bits - 1;
    const uint32_t mant = layout.mantissa_bits;
    std::vector<uint8_t> payload;
    ByteWriter out(payload);
    const uint64_t n = write_header(input, layout.bytes, out);
    std::vector<uint16_t> exponents(n);
    for (uint64_t i = 0; i < n; ++i)
      exponents[i] =
          static_cast<uint16_t>((element(input, i, layout.bytes) >> mant) & ((1u << exp_bits) - 1));
    write_coded(exponents, 1u << exp_bits, out);
    // Sign and mantissa, packed to 1 + mantissa bits per element.
    entropy::append_packed(payload, n, 1 + mant, [&](uint64_t i) {
      const uint32_t v = element(input, i, layout.bytes);
      return ((v >> (layout.bits - 1)) << mant) | (v & ((1u << mant) - 1));
    });
    return payload;
  }
  void decompress(std::span<const uint8_t> payload, const TensorInfo& tensor,
                  std::span<uint8_t> out) const override {
    const FloatLayout& layout = layout_of(tensor);
    const uint32_t exp_bits = layout.sign_exp_bits - 1;
    const uint32_t mant = layout.mantissa_bits;
    ByteReader in(payload, "dfloat11-like payload");
    const uint64_t n = read_header(in, out, layout.bytes);
    std::vector<uint16_t> exponents(n);
    read_coded(in, 1u << exp_bits, exponents);
    const auto packed = in.bytes(entropy::packed_bytes(n, 1 + mant));
    if (!in.at_end()) in.fail("trailing bytes");
    for (uint64_t i = 0; i < n; ++i) {
      const uint32_t f = entropy::unpack_field(packed, i, 1 + mant);
      const uint32_t v = ((f >> mant) << (layout.bits - 1)) | (uint32_t{exponents[i]} << mant) |
                         (f & ((1u << mant) - 1));
      std::memcpy(out.data() + i * layout.bytes, &v, layout.bytes);
    }
  }
};

class ByteSplit final : public FloatBaseline {
 public:
  std::string name() const override { return "byte-split"; }
  bool applies_to(const TensorInfo& tensor) const override {
    return tensor.type == type::kBF16 || tensor.type == type::kF16;
  }
  std::vector<uint8_t> compress(std::span<const uint8_t> input,
                                const TensorInfo& tensor) const override {
    if (!applies_to(tensor)) throw Error(ErrorKind::kUsage, "byte-split is for 16-bit floats");
    std::vector<uint8_t> payload;
    ByteWriter out(payload);
    const uint64_t n = write_header(input, 2, out);
    std::vector<uint16_t> plane(n);
    for (int b : {1, 0}) {
      for (uint64_t i = 0; i < n; ++i) plane[i] = input[2 * i + b];
      write_coded(plane, 256, out);
    }
    return payload;
  }
  void decompress(std::span<const uint8_t> payload, const TensorInfo& tensor,
                  std::span<uint8_t> out) const override {
    if (!applies_to(tensor)) throw Error(ErrorKind::kUsage, "byte-split is for 16-bit floats");
    ByteReader in(payload, "byte-split payload");
    const uint64_t n = read_header(in, out, 2);
    std::vector<uint16_t> plane(n);
    for (int b : {1, 0}) {
      read_coded(in, 256, plane);
      for (uint64_t i = 0; i < n; ++i) out[2 * i + b] = static_cast<uint8_t>(plane[i]);
    }
    if (!in.at_end()) in.fail("trailing bytes");
  }
};

}  // namespace

std::vector<std::unique_ptr<Method>> float_baseline_methods() {
  std::vector<std::unique_ptr<Method>> methods;
  methods.push_back(std::make_unique<ZipnnLike>());
  methods.push_back(std::make_unique<Dfloat11Like>());
  methods.push_back(std::make_unique<ByteSplit>());
  return methods;
}

}  // namespace lcl::bench
