#pragma once
// Minimal safetensors reading for the codec tests (the formats layer has the real parser; the
// codec tests stay independent of it): header length u64, JSON header, then the data region.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace lcl::test {

struct CorpusTensor {
  std::string name;
  std::string dtype;
  std::vector<uint8_t> bytes;
};

inline std::vector<CorpusTensor> read_safetensors_tensors(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot open " + path.string());
  std::vector<uint8_t> data((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
  if (data.size() < 8) throw std::runtime_error("short safetensors file");
  uint64_t header = 0;
  for (int i = 0; i < 8; ++i) header |= uint64_t{data[i]} << (8 * i);
  if (header > data.size() - 8) throw std::runtime_error("bad safetensors header length");
  auto json =
      nlohmann::json::parse(data.begin() + 8, data.begin() + 8 + static_cast<ptrdiff_t>(header));
  const size_t base = 8 + header;
  std::vector<CorpusTensor> tensors;
  for (auto& [name, info] : json.items()) {
    if (name == "__metadata__") continue;
    const uint64_t begin = info["data_offsets"][0], end = info["data_offsets"][1];
    if (begin > end || base + end > data.size()) throw std::runtime_error("bad offsets in " + name);
    tensors.push_back(
        {name, info["dtype"], {data.begin() + base + begin, data.begin() + base + end}});
  }
  return tensors;
}

}  // namespace lcl::test
