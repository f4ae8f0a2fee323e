#pragma once
// The role and layer of a tensor, parsed from its name. Hugging Face names
// ("model.layers.3.self_attn.q_proj.weight"), GGUF names ("blk.3.attn_q.weight"), Meta/llama2.c
// names ("layers.3.attention.wq.weight"), GPT-2 names ("h.3.attn.c_attn.weight") and BERT-style
// names map onto one closed vocabulary (the Hugging Face one), so the same weights stored in
// either format land in the same row of a table and a table by role has a bounded number of rows:
//   q_proj k_proj v_proj o_proj qkv_proj q_norm k_norm
//   gate_proj up_proj down_proj gate_up_proj
//   embed_tokens embed_positions lm_head
//   input_layernorm post_attention_layernorm pre_feedforward_layernorm post_feedforward_layernorm
//   norm (the final norm) rope_freqs
//   other (everything else)
// with ".bias" appended for biases and ".scale" for the block scales of quantized float weights
// (e.g. FP8 "weight_scale_inv").
#include <string>
#include <string_view>

namespace lcl::analysis {

struct TensorRole {
  std::string role;    // one of the vocabulary above
  int layer = -1;      // transformer block index, -1 for tensors outside the blocks
  std::string detail;  // the name's last meaningful component as written (tells "other"s apart)
};

TensorRole parse_tensor_role(std::string_view name);

}  // namespace lcl::analysis
