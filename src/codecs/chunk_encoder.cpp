#include "codecs/chunk_encoder.hpp"

#include "codecs/codec_scratch.hpp"

#include <algorithm>
#include <vector>

#include "lcl/error.hpp"

namespace lcl {

bool zstd_may_win(std::span<const uint8_t> chunk, Workspace& workspace) {
  // Up to 16 windows of 4 KiB spread over the chunk: 64 KiB per 4 MiB chunk, coded at level 1.
  constexpr size_t kWindows = 16, kWindow = 4096;
  std::vector<uint8_t>& sample = workspace.scratch().chunk_encoder.sample;
  std::vector<uint8_t>& coded = workspace.scratch().chunk_encoder.sample_coded;
  sample.clear();
  const size_t step = chunk.size() / kWindows;
  for (size_t w = 0; w < kWindows; ++w) {
    const auto window = chunk.subspan(w * step, std::min(kWindow, chunk.size() - w * step));
    sample.insert(sample.end(), window.begin(), window.end());
  }
  if (sample.empty()) return false;
  EncodeContext fast;
  fast.level = 1;
  coded.clear();
  find_codec(codec_id::kZstd)->encode(sample, fast, coded, workspace);
  return static_cast<double>(sample.size()) >=
         kZstdTrialSampleRatio * static_cast<double>(std::max<size_t>(coded.size(), 1));
}

CodecId encode_chunk_payload(std::span<const uint8_t> chunk, const Codec& routed,
                             const EncodeContext& context, std::vector<uint8_t>& payload,
                             Workspace& workspace) {
  const Codec& zstd = *find_codec(codec_id::kZstd);
  EncodeContext generic = context;
  generic.type = type::kOpaque;
  CodecId used = routed.id();
  payload.clear();
  try {
    routed.encode(chunk, context, payload, workspace);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kUnsupported) throw;
    used = codec_id::kZstd;
    payload.clear();
    zstd.encode(chunk, generic, payload, workspace);
  }
  if (used != codec_id::kZstd && used != codec_id::kStore &&
      (chunk.size() <= kGenericTrialBytes || zstd_may_win(chunk, workspace))) {
    std::vector<uint8_t>& trial = workspace.scratch().chunk_encoder.trial;
    trial.clear();
    zstd.encode(chunk, generic, trial, workspace);
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
