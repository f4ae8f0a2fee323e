#pragma once
// Builders of small, valid safetensors and GGUF files in memory, for tests of every layer. They
// write the formats from their specs (FORMATS.md), independently of the parsers they test.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace lcl::test {

inline void put_le(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// ---------------------------------------------------------------- safetensors
struct SafetensorsTensor {
  std::string name;
  std::string dtype;            // "BF16", "F32", ...
  std::vector<uint64_t> shape;  // outermost first
  std::vector<uint8_t> data;    // its bytes (dtype size x elements for a valid file)
};

// A file with the header JSON given verbatim and the data section appended.
inline std::vector<uint8_t> build_safetensors_raw(const std::string& header_json,
                                                  const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out;
  put_le(out, header_json.size(), 8);
  out.insert(out.end(), header_json.begin(), header_json.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// A valid file: tensors stored back to back in the given order; the header is padded with spaces
// to a multiple of 8 bytes as the reference writer does.
inline std::vector<uint8_t> build_safetensors(
    const std::vector<SafetensorsTensor>& tensors,
    const std::vector<std::pair<std::string, std::string>>& metadata = {}) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) {
    nlohmann::json meta = nlohmann::json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = meta;
  }
  std::vector<uint8_t> data;
  for (const SafetensorsTensor& t : tensors) {
    uint64_t begin = data.size();
    data.insert(data.end(), t.data.begin(), t.data.end());
    header[t.name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {begin, data.size()}}};
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8 != 0) text.push_back(' ');
  return build_safetensors_raw(text, data);
}

// ---------------------------------------------------------------- GGUF
enum GgufType : uint32_t {
  kGgufU8 = 0,
  kGgufI8 = 1,
  kGgufU16 = 2,
  kGgufI16 = 3,
  kGgufU32 = 4,
  kGgufI32 = 5,
  kGgufF32 = 6,
  kGgufBool = 7,
  kGgufString = 8,
  kGgufArray = 9,
  kGgufU64 = 10,
  kGgufI64 = 11,
  kGgufF64 = 12,
};

struct GgufTensor {
  std::string name;
  uint32_t type;               // ggml type id
  std::vector<uint64_t> dims;  // ne0 first
  std::vector<uint8_t> data;
};

struct BuiltGguf {
  std::vector<uint8_t> bytes;
  uint64_t infos_end = 0;   // end of the tensor infos (the last info's offset ends here)
  uint64_t data_start = 0;  // absolute offset of the data section
  std::vector<uint64_t> tensor_offsets;  // absolute offset of each tensor, in the order added
};

class GgufBuilder {
 public:
  // Each kv_* appends one KV pair; value bytes follow the GGUF encoding of its type.
  GgufBuilder& kv_u32(const std::string& key, uint32_t v) { return kv(key, kGgufU32, le(v, 4)); }
  GgufBuilder& kv_u64(const std::string& key, uint64_t v) { return kv(key, kGgufU64, le(v, 8)); }
  GgufBuilder& kv_i8(const std::string& key, int8_t v) {
    return kv(key, kGgufI8, le(uint8_t(v), 1));
  }
  GgufBuilder& kv_bool(const std::string& key, bool v) { return kv(key, kGgufBool, le(v, 1)); }
  GgufBuilder& kv_f32(const std::string& key, float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    return kv(key, kGgufF32, le(bits, 4));
  }
  GgufBuilder& kv_string(const std::string& key, const std::string& v) {
    return kv(key, kGgufString, gguf_string(v));
  }
  GgufBuilder& kv_u32_array(const std::string& key, const std::vector<uint32_t>& values) {
    std::vector<uint8_t> b = le(kGgufU32, 4);
    append(b, le(values.size(), 8));
    for (uint32_t v : values) append(b, le(v, 4));
    return kv(key, kGgufArray, b);
  }
  GgufBuilder& kv_string_array(const std::string& key, const std::vector<std::string>& values) {
    std::vector<uint8_t> b = le(kGgufString, 4);
    append(b, le(values.size(), 8));
    for (const std::string& v : values) append(b, gguf_string(v));
    return kv(key, kGgufArray, b);
  }
  // A key with a value type and raw value bytes as given (for hostile inputs).
  GgufBuilder& kv(const std::string& key, uint32_t type, const std::vector<uint8_t>& value) {
    append(kvs_, gguf_string(key));
    append(kvs_, le(type, 4));
    append(kvs_, value);
    ++kv_count_;
    return *this;
  }
  // Sets the alignment used for layout and writes general.alignment.
  GgufBuilder& alignment(uint32_t a) {
    alignment_ = a;
    return kv_u32("general.alignment", a);
  }
  GgufBuilder& tensor(GgufTensor t) {
    tensors_.push_back(std::move(t));
    return *this;
  }
  GgufBuilder& version(uint32_t v) {
    version_ = v;
    return *this;
  }
  // Appended after the last tensor's data.
  GgufBuilder& trailing(std::vector<uint8_t> bytes) {
    trailing_ = std::move(bytes);
    return *this;
  }

  // Padding bytes are 0xAB (not zero) so tests notice if padding is dropped or invented.
  BuiltGguf build() const {
    BuiltGguf built;
    std::vector<uint64_t> relative;
    uint64_t cursor = 0;
    for (const GgufTensor& t : tensors_) {
      relative.push_back(cursor);
      cursor = align(cursor + t.data.size());
    }
    std::vector<uint8_t>& out = built.bytes;
    out = {'G', 'G', 'U', 'F'};
    append(out, le(version_, 4));
    append(out, le(tensors_.size(), 8));
    append(out, le(kv_count_, 8));
    append(out, kvs_);
    for (size_t i = 0; i < tensors_.size(); ++i) {
      const GgufTensor& t = tensors_[i];
      append(out, gguf_string(t.name));
      append(out, le(t.dims.size(), 4));
      for (uint64_t d : t.dims) append(out, le(d, 8));
      append(out, le(t.type, 4));
      append(out, le(relative[i], 8));
    }
    built.infos_end = out.size();
    built.data_start = align(out.size());
    out.resize(built.data_start, 0xAB);
    for (size_t i = 0; i < tensors_.size(); ++i) {
      out.resize(built.data_start + relative[i], 0xAB);
      built.tensor_offsets.push_back(out.size());
      append(out, tensors_[i].data);
    }
    append(out, trailing_);
    return built;
  }

  static std::vector<uint8_t> le(uint64_t v, int bytes) {
    std::vector<uint8_t> b;
    put_le(b, v, bytes);
    return b;
  }
  static std::vector<uint8_t> gguf_string(const std::string& s) {
    std::vector<uint8_t> b = le(s.size(), 8);
    b.insert(b.end(), s.begin(), s.end());
    return b;
  }
  static void append(std::vector<uint8_t>& out, const std::vector<uint8_t>& more) {
    out.insert(out.end(), more.begin(), more.end());
  }

 private:
  uint64_t align(uint64_t x) const { return (x + alignment_ - 1) / alignment_ * alignment_; }

  uint32_t version_ = 3;
  uint64_t alignment_ = 32;
  uint64_t kv_count_ = 0;
  std::vector<uint8_t> kvs_;
  std::vector<GgufTensor> tensors_;
  std::vector<uint8_t> trailing_;
};

// n bytes with a simple varying pattern (content does not matter to the parsers).
inline std::vector<uint8_t> pattern_bytes(size_t n, uint8_t seed = 1) {
  std::vector<uint8_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

}  // namespace lcl::test
