// GGUF v2/v3: magic, version, tensor count, KV count, KV pairs, tensor infos, padding to
// general.alignment, then the tensor data. Every count and length read from the header is checked
// against the bytes left in the file before it is used, so a hostile header costs at most a scan
// of the file, never a huge allocation. Tensors of unknown ggml type keep their place as opaque
// regions that run up to the next tensor (or the end of the file).
#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "formats/checked_math.hpp"
#include "formats/region_assembly.hpp"
#include "formats/source_cursor.hpp"
#include "lcl/error.hpp"
#include "lcl/layout.hpp"

namespace lcl {
namespace {

enum GgufValueType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};
constexpr std::array<const char*, 13> kValueTypeNames = {
    "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};

constexpr uint32_t kMaxDims = 8;   // ggml uses 4; leave room for newer writers
constexpr int kMaxArrayDepth = 8;  // arrays of arrays of ...
constexpr uint64_t kMaxKeyBytes = 1 << 16;
constexpr uint64_t kMaxStringValueBytes = 64ull << 20;
constexpr uint64_t kShortArrayElements = 16;  // numeric arrays up to this length are spelled out
constexpr uint64_t kDefaultAlignment = 32;

// Fixed byte width of a scalar value type, 0 for string/array/unknown.
uint64_t scalar_width(uint32_t t) {
  switch (t) {
    case kU8:
    case kI8:
    case kBool:
      return 1;
    case kU16:
    case kI16:
      return 2;
    case kU32:
    case kI32:
    case kF32:
      return 4;
    case kU64:
    case kI64:
    case kF64:
      return 8;
    default:
      return 0;
  }
}

template <typename F>
std::string shortest(F value) {
  std::array<char, 64> buf{};
  auto result = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  return std::string(buf.data(), result.ptr);
}

class GgufParser {
 public:
  explicit GgufParser(const ByteSource& source)
      : source_(source), file_(source.name()), in_(source) {}

  Layout parse() {
    if (source_.size() < 4) fail("too short for a GGUF header");
    std::array<uint8_t, 4> magic{in_.u8(), in_.u8(), in_.u8(), in_.u8()};
    if (magic != std::array<uint8_t, 4>{'G', 'G', 'U', 'F'}) fail("no GGUF magic");
    uint32_t version = in_.u32();
    if (version != 2 && version != 3)
      fail("version " + std::to_string(version) + " is not supported (only 2 and 3)");
    uint64_t tensor_count = in_.u64();
    uint64_t kv_count = in_.u64();
    // Smallest possible encodings: a KV pair is 8 (key length) + 4 (type) + 1 bytes; a tensor
    // info is 8 (name length) + 4 (n_dims) + 8 (one dim) + 4 (type) + 8 (offset) bytes.
    if (kv_count > in_.remaining() / 13)
      fail("KV count " + std::to_string(kv_count) + " exceeds the file");
    if (tensor_count > in_.remaining() / 32)
      fail("tensor count " + std::to_string(tensor_count) + " exceeds the file");

    Layout layout;
    layout.format = FileFormat::kGguf;
    layout.file_size = source_.size();
    uint64_t alignment = kDefaultAlignment;
    std::set<std::string> keys;
    for (uint64_t i = 0; i < kv_count; ++i) {
      std::string key = read_string(kMaxKeyBytes, "key");
      if (!keys.insert(key).second) fail("duplicate key '" + key + "'");
      uint32_t value_type = in_.u32();
      if (key == "general.alignment") {
        if (value_type != kU32) fail("general.alignment is not a u32");
        uint32_t a = in_.u32();
        if (a == 0 || (a & (a - 1)) != 0)
          fail("general.alignment " + std::to_string(a) + " is not a power of two");
        alignment = a;
        layout.metadata.emplace_back(key, std::to_string(a));
        continue;
      }
      layout.metadata.emplace_back(std::move(key), read_value(value_type));
    }

    std::vector<Region> tensors;
    std::set<std::string> names;
    for (uint64_t i = 0; i < tensor_count; ++i)
      tensors.push_back(read_tensor_info(alignment, names));

    // The data section starts at the next multiple of the alignment after the infos. A file with
    // no tensor may stop before that padding; one with tensors must hold it.
    uint64_t infos_end = in_.position();
    uint64_t data_start =
        formats::checked_add(infos_end, alignment - 1, "data start") / alignment * alignment;
    const uint64_t file_size = source_.size();
    if (tensors.empty()) {
      layout.regions = formats::assemble_regions(std::min(data_start, file_size), {}, file_size);
      return layout;
    }
    if (data_start > file_size) fail("data section starts beyond the end of the file");
    place_tensors(tensors, data_start, file_size);
    layout.warnings = std::move(warnings_);
    layout.regions = formats::assemble_regions(data_start, std::move(tensors), file_size);
    return layout;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw_corrupt(file_ + ": GGUF " + why + " (near byte " + std::to_string(in_.position()) + ")");
  }

  std::string read_string(uint64_t max_bytes, const char* what) {
    uint64_t n = in_.u64();
    if (n > in_.remaining())
      fail(std::string(what) + " length " + std::to_string(n) + " exceeds the file");
    if (n > max_bytes)
      fail(std::string(what) + " length " + std::to_string(n) + " exceeds the limit");
    return in_.string(n);
  }

  std::string read_scalar(uint32_t t) {
    switch (t) {
      case kU8:
        return std::to_string(in_.u8());
      case kI8:
        return std::to_string(static_cast<int8_t>(in_.u8()));
      case kU16:
        return std::to_string(in_.u16());
      case kI16:
        return std::to_string(static_cast<int16_t>(in_.u16()));
      case kU32:
        return std::to_string(in_.u32());
      case kI32:
        return std::to_string(static_cast<int32_t>(in_.u32()));
      case kU64:
        return std::to_string(in_.u64());
      case kI64:
        return std::to_string(static_cast<int64_t>(in_.u64()));
      case kF32: {
        uint32_t bits = in_.u32();
        float f;
        std::memcpy(&f, &bits, 4);
        return shortest(f);
      }
      case kF64: {
        uint64_t bits = in_.u64();
        double d;
        std::memcpy(&d, &bits, 8);
        return shortest(d);
      }
      case kBool: {
        uint8_t b = in_.u8();
        if (b > 1) fail("bool value " + std::to_string(b) + " is neither 0 nor 1");
        return b ? "true" : "false";
      }
      default:
        fail("unknown value type " + std::to_string(t));
    }
  }

  std::string read_value(uint32_t t) {
    if (t == kString) return read_string(kMaxStringValueBytes, "string value");
    if (t == kArray) return read_array(1);
    return read_scalar(t);
  }

  // Reads (and mostly skips) an array; returns its summary for the metadata list.
  std::string read_array(int depth) {
    if (depth > kMaxArrayDepth) fail("arrays nest deeper than " + std::to_string(kMaxArrayDepth));
    uint32_t element_type = in_.u32();
    uint64_t count = in_.u64();
    if (element_type > kF64) fail("unknown array element type " + std::to_string(element_type));
    std::string summary =
        std::string("array<") + kValueTypeNames[element_type] + ">[" + std::to_string(count) + "]";
    if (uint64_t width = scalar_width(element_type)) {
      if (count > in_.remaining() / width)
        fail("array of " + std::to_string(count) + " elements exceeds the file");
      if (count > kShortArrayElements) {
        if (element_type == kBool) {
          for (uint64_t i = 0; i < count; ++i) read_scalar(kBool);
        } else {
          in_.skip(count * width);
        }
        return summary;
      }
      std::string spelled = "[";
      for (uint64_t i = 0; i < count; ++i) spelled += (i ? "," : "") + read_scalar(element_type);
      return spelled + "]";
    }
    if (element_type == kString) {
      if (count > in_.remaining() / 8)
        fail("array of " + std::to_string(count) + " strings exceeds the file");
      for (uint64_t i = 0; i < count; ++i) {
        uint64_t n = in_.u64();
        if (n > in_.remaining()) fail("string in array exceeds the file");
        in_.skip(n);
      }
      return summary;
    }
    // Nested arrays: each needs at least its 12-byte type and count.
    if (count > in_.remaining() / 12)
      fail("array of " + std::to_string(count) + " arrays exceeds the file");
    for (uint64_t i = 0; i < count; ++i) read_array(depth + 1);
    return summary;
  }

  Region read_tensor_info(uint64_t alignment, std::set<std::string>& names) {
    Region region;
    region.tensor.name = read_string(kMaxKeyBytes, "tensor name");
    const std::string where = "tensor '" + region.tensor.name + "'";
    if (!names.insert(region.tensor.name).second) fail("duplicate " + where);
    uint32_t n_dims = in_.u32();
    if (n_dims == 0 || n_dims > kMaxDims)
      fail(where + " has " + std::to_string(n_dims) + " dimensions");
    uint64_t elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      uint64_t ne = in_.u64();
      region.tensor.shape.push_back(ne);
      uint64_t product = 0;
      if (__builtin_mul_overflow(elements, ne, &product)) fail(where + " element count overflows");
      elements = product;
    }
    uint32_t type_id = in_.u32();
    uint64_t offset = in_.u64();
    if (offset % alignment != 0)
      fail(where + " offset " + std::to_string(offset) + " is not aligned");
    region.offset = offset;  // relative to the data section until place_tensors
    region.tensor.type = type_id;
    const TypeInfo* info = find_type(type_id);
    std::string unknown_why = info ? "" : "has unknown ggml type " + std::to_string(type_id);
    uint64_t size = 0;
    if (info && region.tensor.shape[0] % info->block_elements != 0)
      unknown_why = "has a first dimension of " + std::to_string(region.tensor.shape[0]) +
                    ", not a multiple of " + type_name(type_id) + "'s block of " +
                    std::to_string(info->block_elements);
    else if (info &&
             __builtin_mul_overflow(elements / info->block_elements, info->block_bytes, &size))
      unknown_why = "has a byte size that overflows";
    if (unknown_why.empty()) {
      region.size = size;
      region.kind = RegionKind::kTensor;
    } else {
      degrade(region, unknown_why);
    }
    return region;
  }

  // A tensor this version cannot cut by its type keeps its name, type id and shape but becomes
  // opaque bytes; place_tensors gives it the extent up to the next tensor.
  void degrade(Region& region, const std::string& why) {
    region.kind = RegionKind::kOpaque;
    region.size = 0;
    warnings_.push_back("tensor '" + region.tensor.name + "' " + why + ", carried as opaque bytes");
  }

  // Makes offsets absolute, checks every tensor lies in the file, gives tensors of unknown type
  // (and known ones whose size would run into the next tensor: a type whose layout differs from
  // ours) the extent up to the next tensor, and rejects overlaps. One degraded tensor never costs
  // the rest of the file its layout.
  void place_tensors(std::vector<Region>& tensors, uint64_t data_start, uint64_t file_size) {
    for (Region& r : tensors) {
      if (r.offset > file_size - data_start)
        fail("tensor '" + r.tensor.name + "' starts beyond the end of the file");
      r.offset += data_start;
    }
    std::stable_sort(tensors.begin(), tensors.end(),
                     [](const Region& a, const Region& b) { return a.offset < b.offset; });
    // Tensors sharing an offset form a group; a group ends where the next offset starts.
    for (size_t first = 0; first < tensors.size();) {
      size_t last = first;
      while (last < tensors.size() && tensors[last].offset == tensors[first].offset) ++last;
      const uint64_t offset = tensors[first].offset;
      const uint64_t room = (last < tensors.size() ? tensors[last].offset : file_size) - offset;
      bool known_data = false;
      for (size_t i = first; i < last; ++i) {
        Region& r = tensors[i];
        if (r.kind != RegionKind::kTensor) continue;
        if (r.size > room) {
          if (last == tensors.size())
            fail("tensor '" + r.tensor.name + "' ends beyond the end of the file");
          degrade(r, "of type " + type_name(r.tensor.type) + " needs " + std::to_string(r.size) +
                         " bytes but the next tensor starts after " + std::to_string(room));
        } else {
          known_data = known_data || r.size > 0;
        }
      }
      // Where no tensor of known size holds the group's bytes, the last opaque one (in file
      // order of the infos) takes them, alignment padding included; the others are empty.
      for (size_t i = last; i-- > first;) {
        if (tensors[i].kind != RegionKind::kOpaque) continue;
        if (!known_data) {
          tensors[i].size = room;
          known_data = true;
        }
      }
      first = last;
    }
    try {
      formats::sort_and_check_overlaps(tensors);
    } catch (const Error& e) {
      fail(e.what());
    }
  }

  const ByteSource& source_;
  std::string file_;
  formats::SourceCursor in_;
  std::vector<std::string> warnings_;
};

}  // namespace

Layout parse_gguf(const ByteSource& source) {
  return GgufParser(source).parse();
}

}  // namespace lcl
