#pragma once
// The role and layer of a tensor, parsed from its name. Hugging Face names
// ("model.layers.3.self_attn.q_proj.weight") and GGUF names ("blk.3.attn_q.weight") map onto one
// vocabulary (the Hugging Face one: q_proj, k_proj, ..., embed_tokens, lm_head) so that the same
// weights stored in either format land in the same row of a table.
#include <string>
#include <string_view>

namespace lcl::analysis {

struct TensorRole {
  std::string role;  // canonical role; the last meaningful name component when unknown
  int layer = -1;    // transformer block index, -1 for tensors outside the blocks
};

TensorRole parse_tensor_role(std::string_view name);

}  // namespace lcl::analysis
