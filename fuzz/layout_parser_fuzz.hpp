// The body shared by the layout-parser fuzz targets: any bytes given to a parser give either a
// valid layout or lcl::Error(kCorruptInput), and read_layout never throws on memory input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "lcl/error.hpp"
#include "lcl/layout.hpp"

template <class Parser>
int fuzz_layout_parser(const uint8_t* data, size_t size, Parser parse) {
  lcl::MemorySource source(std::span<const uint8_t>(data, size), "fuzz");
  try {
    lcl::Layout layout = parse(source);
    lcl::validate_layout(layout);
  } catch (const lcl::Error& e) {
    if (e.kind() != lcl::ErrorKind::kCorruptInput) std::abort();
  }
  lcl::Layout layout = lcl::read_layout(source);  // must not throw for an in-memory source
  lcl::validate_layout(layout);
  return 0;
}
