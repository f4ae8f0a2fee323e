#include "bench/result_row.hpp"

#include "lcl/error.hpp"

namespace lcl::bench {

std::string ResultRow::key() const {
  return model + '\t' + file + '\t' + tensor + '\t' + method;
}

nlohmann::json to_json(const ResultRow& row) {
  nlohmann::json j;
  j["model"] = row.model;
  j["file"] = row.file;
  j["tensor"] = row.tensor;
  j["role"] = row.role;
  j["layer"] = row.layer;
  j["dtype"] = row.dtype;
  j["method"] = row.method;
  j["original_bytes"] = row.original_bytes;
  j["compressed_bytes"] = row.compressed_bytes;
  j["profile_bytes"] = row.profile_bytes;
  j["encode_s"] = row.encode_seconds;
  j["decode_s"] = row.decode_seconds;
  j["roundtrip_ok"] = row.roundtrip_ok;
  if (!row.error.empty()) j["error"] = row.error;
  if (!row.skipped.empty()) j["skipped"] = row.skipped;
  j["tool_version"] = row.tool_version;
  return j;
}

namespace {
template <typename T>
T field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) throw_corrupt(std::string("result row lacks \"") + name + "\"");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw_corrupt(std::string("result row field \"") + name + "\" has the wrong type");
  }
}
}  // namespace

ResultRow row_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw_corrupt("result row is not a JSON object");
  ResultRow row;
  row.model = field<std::string>(j, "model");
  row.file = field<std::string>(j, "file");
  row.tensor = field<std::string>(j, "tensor");
  row.role = field<std::string>(j, "role");
  row.layer = field<int>(j, "layer");
  row.dtype = field<std::string>(j, "dtype");
  row.method = field<std::string>(j, "method");
  row.original_bytes = field<uint64_t>(j, "original_bytes");
  row.compressed_bytes = field<uint64_t>(j, "compressed_bytes");
  row.profile_bytes = field<uint64_t>(j, "profile_bytes");
  row.encode_seconds = field<double>(j, "encode_s");
  row.decode_seconds = field<double>(j, "decode_s");
  row.roundtrip_ok = field<bool>(j, "roundtrip_ok");
  if (j.contains("error")) row.error = field<std::string>(j, "error");
  if (j.contains("skipped")) row.skipped = field<std::string>(j, "skipped");
  row.tool_version = field<std::string>(j, "tool_version");
  return row;
}

}  // namespace lcl::bench
