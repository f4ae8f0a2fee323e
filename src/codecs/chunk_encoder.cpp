#include "codecs/chunk_encoder.hpp"

#include "lcl/error.hpp"

namespace lcl {

CodecId encode_chunk_payload(std::span<const uint8_t> chunk, const Codec& routed,
                             const EncodeContext& context, std::vector<uint8_t>& payload) {
  const Codec& zstd = *find_codec(codec_id::kZstd);
  EncodeContext generic = context;
  generic.type = type::kOpaque;
  CodecId used = routed.id();
  payload.clear();
  try {
    routed.encode(chunk, context, payload);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kUnsupported) throw;
    used = codec_id::kZstd;
    payload.clear();
    zstd.encode(chunk, generic, payload);
  }
  if (used != codec_id::kZstd && used != codec_id::kStore && chunk.size() <= kGenericTrialBytes) {
    thread_local std::vector<uint8_t> trial;
    trial.clear();
    zstd.encode(chunk, generic, trial);
    if (trial.size() < payload.size()) {
      payload.swap(trial);
      used = codec_id::kZstd;
    }
  }
  if (used == codec_id::kStore || payload.size() >= chunk.size()) {
    payload.clear();
    return codec_id::kStore;
  }
  return used;
}

}  // namespace lcl
