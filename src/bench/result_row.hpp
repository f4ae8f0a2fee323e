#pragma once
// One measured row of `lcl bench`: one method applied to one tensor (or one whole file), with the
// sizes, the times and whether decoding gave the original bytes back. Rows are JSON objects, one
// per line; the key of a row (model, file, tensor, method) identifies it across shards and
// resumed runs.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace lcl::bench {

struct ResultRow {
  std::string model;
  std::string file;    // file name within the model directory
  std::string tensor;  // tensor name; empty for a whole-file method
  std::string role;
  int layer = -1;
  std::string dtype;  // type name ("BF16", "q4_K"); "file" for a whole-file row
  std::string method;
  uint64_t original_bytes = 0;
  uint64_t compressed_bytes = 0;  // the payload, without the profile
  uint64_t profile_bytes = 0;     // what a trained method learned (shared by a model's rows)
  double encode_seconds = 0;
  double decode_seconds = 0;
  bool roundtrip_ok = false;
  std::string error;  // why the roundtrip failed (empty when it succeeded)
  // Why the method was not run on this item (e.g. "no profile"): not a failure, not measured.
  std::string skipped;
  std::string tool_version;

  std::string key() const;  // model \t file \t tensor \t method
  double ratio() const {
    return compressed_bytes
               ? static_cast<double>(original_bytes) / static_cast<double>(compressed_bytes)
               : 0.0;
  }
};

nlohmann::json to_json(const ResultRow& row);
// Throws lcl::Error(kCorruptInput) naming the field when a required field is missing or mistyped.
ResultRow row_from_json(const nlohmann::json& j);

}  // namespace lcl::bench
