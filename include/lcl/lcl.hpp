#pragma once
// The C++ API of liblcl in one include. Typical use:
//
//   lcl::CompressOptions options;                        // threads = 0: one per core
//   lcl::compress_file("model.safetensors", "model.safetensors.lcl", options);
//
//   auto archive = lcl::Archive::open("model.safetensors.lcl");
//   for (const lcl::TensorEntry& t : archive->index().tensors)   // name, type, shape, byte range
//     ...;
//   std::vector<uint8_t> bytes(archive->index().tensors[i].original_size);
//   archive->read_tensor_into(i, bytes);                 // decodes only that tensor's chunks
//
// Sources (lcl/source.hpp: a file, memory) feed compress(); sinks (lcl/sink.hpp: a file, memory,
// a file descriptor or FILE*) take the output of compress() and decompress(). Every failure is an
// lcl::Error (lcl/error.hpp) with a kind and a message. The C API is lcl/lcl.h.
#include <string_view>

#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "lcl/layout.hpp"
#include "lcl/sink.hpp"
#include "lcl/source.hpp"
#include "lcl/types.hpp"
#include "lcl/version.h"

namespace lcl {

// The version of the linked library ("0.2.0"); LCL_VERSION_STRING is that of the headers.
std::string_view version();

}  // namespace lcl
