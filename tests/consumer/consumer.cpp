// Round trips through the C++ API of an installed liblcl: a safetensors image built in memory is
// compressed into a memory sink, its tensors listed and read one by one (only their chunks are
// decoded), then a file is compressed and decompressed through file sinks; bytes are compared.
// Usage: consumer_cpp <scratch directory>. Exit 0 when everything matched.
#include <lcl/lcl.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::cerr << "FAILED: " << what << "\n";
    ++failures;
  }
}

// A safetensors file with two tensors: "a" (BF16, 64x128) and "b" (F32, 1000).
std::vector<uint8_t> safetensors_image() {
  const std::string header = R"({"a":{"dtype":"BF16","shape":[64,128],"data_offsets":[0,16384]},)"
                             R"("b":{"dtype":"F32","shape":[1000],"data_offsets":[16384,20384]}})";
  std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  std::vector<uint8_t> file(8);
  uint64_t n = padded.size();
  std::memcpy(file.data(), &n, 8);
  file.insert(file.end(), padded.begin(), padded.end());
  uint32_t state = 7;
  for (int i = 0; i < 64 * 128; ++i) {  // bf16 values near 0.01 with a random mantissa
    state = state * 1664525u + 1013904223u;
    uint16_t v = static_cast<uint16_t>(0x3c00 | (state >> 25));
    file.push_back(static_cast<uint8_t>(v));
    file.push_back(static_cast<uint8_t>(v >> 8));
  }
  for (int i = 0; i < 1000; ++i) {
    float f = static_cast<float>(i) * 0.5f;
    uint8_t b[4];
    std::memcpy(b, &f, 4);
    file.insert(file.end(), b, b + 4);
  }
  return file;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " <scratch directory>\n";
    return 2;
  }
  check(lcl::version() == LCL_VERSION_STRING, "library and header versions agree");
  try {
    const std::vector<uint8_t> original = safetensors_image();
    lcl::MemorySource source(original);
    std::vector<uint8_t> archive_bytes;
    lcl::MemorySink sink(archive_bytes);
    lcl::CompressOptions options;
    lcl::compress(source, sink, options, "model.safetensors");

    auto archive = lcl::Archive::open(archive_bytes);
    check(archive->index().tensors.size() == 2, "two tensors listed");
    for (size_t i = 0; i < archive->index().tensors.size(); ++i) {
      const lcl::TensorEntry& t = archive->index().tensors[i];
      std::vector<uint8_t> bytes(t.original_size);
      archive->read_tensor_into(i, bytes, 2);
      check(std::memcmp(bytes.data(), original.data() + t.original_offset, bytes.size()) == 0,
            "tensor " + t.info.name + " bytes equal");
    }
    check(archive->tensor_index("b") == 1u && !archive->tensor_index("zz"), "tensor_index");

    std::vector<uint8_t> restored;
    lcl::MemorySink restored_sink(restored);
    lcl::decompress(*archive, restored_sink, lcl::DecompressOptions{});
    check(restored == original, "memory round trip bytes equal");

    const std::string dir = argv[1];
    {
      std::ofstream(dir + "/cpp-model.safetensors", std::ios::binary)
          .write(reinterpret_cast<const char*>(original.data()), std::streamsize(original.size()));
    }
    lcl::compress_file(dir + "/cpp-model.safetensors", dir + "/cpp-model.safetensors.lcl", options);
    lcl::decompress_file(dir + "/cpp-model.safetensors.lcl", dir + "/cpp-restored.safetensors",
                         lcl::DecompressOptions{});
    std::ifstream in(dir + "/cpp-restored.safetensors", std::ios::binary);
    std::vector<uint8_t> back((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    check(back == original, "file round trip bytes equal");

    archive_bytes[archive_bytes.size() - 40] ^= 1;  // inside the index: its checksum fails
    bool rejected = false;
    try {
      lcl::Archive::open(archive_bytes);
    } catch (const lcl::Error& e) {
      rejected = e.kind() == lcl::ErrorKind::kCorruptInput;
    }
    check(rejected, "a corrupt index is rejected");
  } catch (const std::exception& e) {
    std::cerr << "FAILED: exception " << e.what() << "\n";
    return 1;
  }
  if (failures == 0)
    std::cout << "C++ consumer: liblcl " << lcl::version() << ", all checks passed\n";
  return failures == 0 ? 0 : 1;
}
