// The library's version, from the project version CMake writes into lcl/version.h.
#include "lcl/lcl.hpp"

namespace lcl {

std::string_view version() {
  return LCL_VERSION_STRING;
}

}  // namespace lcl
