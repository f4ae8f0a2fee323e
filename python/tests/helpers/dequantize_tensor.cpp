// Prints the float32 values (little-endian, raw) of one tensor of a GGUF file as the built-in
// dequantizer widens them, reading the original file directly: the reference that the Python
// tests compare lcl.safe_open(...).get_tensor(name, dequantize=True) with.
// Usage: lcl_dequantize_tensor <file.gguf> <tensor name>
#include <cstdio>
#include <iostream>
#include <vector>

#include "infer/dequantize.hpp"
#include "lcl/lcl.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: lcl_dequantize_tensor <file.gguf> <tensor name>\n";
    return 2;
  }
  try {
    lcl::FileSource source(argv[1]);
    lcl::Layout layout = lcl::parse_gguf(source);
    for (const lcl::Region& region : layout.regions) {
      if (region.kind != lcl::RegionKind::kTensor || region.tensor.name != argv[2]) continue;
      size_t elements = 1;
      for (uint64_t d : region.tensor.shape) elements *= d;
      std::vector<uint8_t> bytes(region.size);
      source.read(region.offset, bytes);
      std::vector<float> values(elements);
      lcl::infer::dequantize(region.tensor.type, bytes, values);
      std::fwrite(values.data(), sizeof(float), values.size(), stdout);
      return 0;
    }
    std::cerr << "no tensor named " << argv[2] << "\n";
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
  }
  return 1;
}
