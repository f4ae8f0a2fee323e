#pragma once
// Errors of liblcl. Every failure that a user can cause (bad input, a missing file, a wrong
// argument) is an lcl::Error with a kind, so that the CLI can map it to an exit code and print one
// clear line; anything else escaping the library is a bug.
#include <stdexcept>
#include <string>

namespace lcl {

enum class ErrorKind {
  kCorruptInput,  // the bytes of an input do not follow their format (exit 1)
  kIo,            // the operating system refused a read or write (exit 1)
  kUnsupported,   // valid input that this version cannot handle (exit 1)
  kUsage,         // the caller asked for something impossible (exit 2)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

[[noreturn]] inline void throw_corrupt(const std::string& message) {
  throw Error(ErrorKind::kCorruptInput, message);
}

}  // namespace lcl
