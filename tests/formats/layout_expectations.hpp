#pragma once
// Shared checks for the format tests: a hostile input must make the strict parser throw
// kCorruptInput and make read_layout fall back to one opaque region with a warning.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "lcl/error.hpp"
#include "lcl/layout.hpp"

namespace lcl::test {

inline ErrorKind kind_of_failure(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected an lcl::Error";
  return ErrorKind::kUsage;
}

// parse is parse_safetensors or parse_gguf.
inline void expect_rejected(const std::vector<uint8_t>& bytes, Layout (*parse)(const ByteSource&),
                            const std::string& why) {
  SCOPED_TRACE(why);
  MemorySource source(bytes, "hostile");
  EXPECT_EQ(kind_of_failure([&] { parse(source); }), ErrorKind::kCorruptInput);
  Layout layout = read_layout(source);
  EXPECT_EQ(layout.format, FileFormat::kOpaque);
  ASSERT_EQ(layout.regions.size(), 1u);
  EXPECT_EQ(layout.regions[0].size, bytes.size());
  ASSERT_EQ(layout.warnings.size(), 1u);
  EXPECT_NE(layout.warnings[0].find("treated as opaque"), std::string::npos);
}

// read_layout of any prefix or mutation of a file: never throws, always a valid layout.
inline void expect_sound_layout(const std::vector<uint8_t>& bytes) {
  MemorySource source(bytes);
  Layout layout;
  ASSERT_NO_THROW(layout = read_layout(source));
  EXPECT_EQ(layout.file_size, bytes.size());
  EXPECT_NO_THROW(validate_layout(layout));
}

}  // namespace lcl::test
