#include "analysis/entropy_bounds.hpp"

#include "analysis/entropy_math.hpp"
#include "formats/ggml/ggml_block_fields.hpp"
#include "util/endian.hpp"

namespace lcl::analysis {

namespace {

double ratio_bound(double original_bits, double entropy_bits) {
  return entropy_bits > 0 ? original_bits / entropy_bits : 0.0;
}

}  // namespace

Measures measure_float16(std::span<const uint8_t> data, bool is_bf16) {
  std::vector<uint64_t> high(256, 0), low(256, 0), whole(1 << 16, 0), exponent(256, 0);
  size_t n = data.size() / 2;
  for (size_t i = 0; i < n; ++i) {
    uint16_t v = load_u16le(&data[2 * i]);
    ++low[v & 0xff];
    ++high[v >> 8];
    ++whole[v];
    ++exponent[is_bf16 ? (v >> 7) & 0xff : (v >> 10) & 0x1f];
  }
  double h_high = entropy_of_counts(high), h_low = entropy_of_counts(low);
  double h_u16 = entropy_of_counts(whole);
  return {{"h_high", h_high},
          {"h_low", h_low},
          {"bound_byte_marginal", ratio_bound(16, h_high + h_low)},
          {"h_u16", h_u16},
          {"bound_iid16", ratio_bound(16, h_u16)},
          {"h_exponent", entropy_of_counts(exponent)}};
}

Measures measure_float32(std::span<const uint8_t> data) {
  // Byte planes 0 (lowest) to 3 (sign and exponent); the 16-bit halves are the iid symbols a
  // 16-bit coder would see, since a 2^32 histogram per tensor is out of proportion.
  std::vector<std::vector<uint64_t>> plane(4, std::vector<uint64_t>(256, 0));
  std::vector<uint64_t> upper(1 << 16, 0), lower(1 << 16, 0), exponent(256, 0);
  size_t n = data.size() / 4;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = &data[4 * i];
    for (int b = 0; b < 4; ++b) ++plane[b][p[b]];
    ++lower[load_u16le(p)];
    ++upper[load_u16le(p + 2)];
    ++exponent[((p[3] & 0x7f) << 1) | (p[2] >> 7)];
  }
  double h_planes = 0;
  for (int b = 0; b < 4; ++b) h_planes += entropy_of_counts(plane[b]);
  double h_halves = entropy_of_counts(upper) + entropy_of_counts(lower);
  // No h_high / h_low: an F32 element has four byte planes, not two (the table prints n/a).
  return {{"h_byte0", entropy_of_counts(plane[0])},
          {"h_byte1", entropy_of_counts(plane[1])},
          {"h_byte2", entropy_of_counts(plane[2])},
          {"h_byte3", entropy_of_counts(plane[3])},
          {"h_lower16", entropy_of_counts(lower)},
          {"h_upper16", entropy_of_counts(upper)},
          {"bound_byte_marginal", ratio_bound(32, h_planes)},
          {"h_u16", h_halves / 2},
          {"bound_iid16", ratio_bound(32, h_halves)},
          {"h_exponent", entropy_of_counts(exponent)}};
}

void q6_k_values(const uint8_t* ql, const uint8_t* qh, uint8_t* values, uint8_t* scale_index) {
  // ggml's layout: each half of 128 values uses ql[64], qh[32] and 8 scales; within a half, the
  // four quarters of 32 take low/high nibbles of ql[0..31]/ql[32..63] and 2-bit pairs of qh.
  for (int half = 0; half < 2; ++half) {
    const uint8_t* l4 = ql + 64 * half;
    const uint8_t* h2 = qh + 32 * half;
    uint8_t* out = values + 128 * half;
    uint8_t* sc = scale_index + 128 * half;
    for (int l = 0; l < 32; ++l) {
      out[l] = static_cast<uint8_t>((l4[l] & 0xF) | (((h2[l] >> 0) & 3) << 4));
      out[l + 32] = static_cast<uint8_t>((l4[l + 32] & 0xF) | (((h2[l] >> 2) & 3) << 4));
      out[l + 64] = static_cast<uint8_t>((l4[l] >> 4) | (((h2[l] >> 4) & 3) << 4));
      out[l + 96] = static_cast<uint8_t>((l4[l + 32] >> 4) | (((h2[l] >> 6) & 3) << 4));
      int is = 8 * half + l / 16;
      sc[l] = static_cast<uint8_t>(is);
      sc[l + 32] = static_cast<uint8_t>(is + 2);
      sc[l + 64] = static_cast<uint8_t>(is + 4);
      sc[l + 96] = static_cast<uint8_t>(is + 6);
    }
  }
}

Measures measure_q4_k(std::span<const uint8_t> data) {
  constexpr size_t kBlock = 144;
  size_t blocks = data.size() / kBlock;
  std::vector<uint64_t> d(1 << 16, 0), dmin(1 << 16, 0), scale(64, 0), min(64, 0),
      scale_min(4096, 0);
  std::vector<uint64_t> nibble(16, 0), nibble_given(4096 * 16, 0);
  uint8_t values[256];
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = &data[b * kBlock];
    ++d[load_u16le(p)];
    ++dmin[load_u16le(p + 2)];
    ggml::unpack_q4k_quants(p + 16, values);
    uint8_t scales[8], mins[8];
    ggml::unpack_q4k_scales(p + 4, scales, mins);
    for (int j = 0; j < 8; ++j) {
      const uint8_t sc = scales[j], m = mins[j];
      ++scale[sc];
      ++min[m];
      size_t context = static_cast<size_t>(sc) * 64 + m;
      ++scale_min[context];
      for (int i = 0; i < 32; ++i) {
        ++nibble[values[32 * j + i]];
        ++nibble_given[context * 16 + values[32 * j + i]];
      }
    }
  }
  double h_d = entropy_of_counts(d), h_dmin = entropy_of_counts(dmin);
  double h_sm = entropy_of_counts(scale_min);
  double h_q = entropy_of_counts(nibble), h_q_cond = conditional_entropy(nibble_given, 16);
  // Bits per block with each field at its entropy; (scale, min) pairs coded jointly since the
  // conditional model uses the pair as its context.
  double header = h_d + h_dmin + 8 * h_sm;
  return {{"q4k_h_d", h_d},
          {"q4k_h_dmin", h_dmin},
          {"q4k_h_scale", entropy_of_counts(scale)},
          {"q4k_h_min", entropy_of_counts(min)},
          {"q4k_h_scale_min", h_sm},
          {"q4k_h_nibble", h_q},
          {"q4k_h_nibble_given_scale_min", h_q_cond},
          {"bound_fields_iid", ratio_bound(kBlock * 8, header + 256 * h_q)},
          {"bound_fields_conditional", ratio_bound(kBlock * 8, header + 256 * h_q_cond)}};
}

Measures measure_q6_k(std::span<const uint8_t> data) {
  constexpr size_t kBlock = 210;
  size_t blocks = data.size() / kBlock;
  std::vector<uint64_t> d(1 << 16, 0), scale(256, 0), q(64, 0), q_given(256 * 64, 0);
  uint8_t values[256], scale_index[256];
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = &data[b * kBlock];
    const uint8_t* scales = p + 192;
    ++d[load_u16le(p + 208)];
    for (int s = 0; s < 16; ++s) ++scale[scales[s]];
    q6_k_values(p, p + 128, values, scale_index);
    for (int i = 0; i < 256; ++i) {
      ++q[values[i]];
      ++q_given[static_cast<size_t>(scales[scale_index[i]]) * 64 + values[i]];
    }
  }
  double h_d = entropy_of_counts(d), h_sc = entropy_of_counts(scale);
  double h_q = entropy_of_counts(q), h_q_cond = conditional_entropy(q_given, 64);
  double header = h_d + 16 * h_sc;
  return {{"q6k_h_d", h_d},
          {"q6k_h_scale", h_sc},
          {"q6k_h_q", h_q},
          {"q6k_h_q_given_scale", h_q_cond},
          {"bound_fields_iid", ratio_bound(kBlock * 8, header + 256 * h_q)},
          {"bound_fields_conditional", ratio_bound(kBlock * 8, header + 256 * h_q_cond)}};
}

Measures measure_q8_0(std::span<const uint8_t> data) {
  constexpr size_t kBlock = 34;
  size_t blocks = data.size() / kBlock;
  std::vector<uint64_t> d(1 << 16, 0), q(256, 0);
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = &data[b * kBlock];
    ++d[load_u16le(p)];
    for (int i = 0; i < 32; ++i) ++q[p[2 + i]];
  }
  double h_d = entropy_of_counts(d), h_q = entropy_of_counts(q);
  return {{"q8_h_d", h_d},
          {"q8_h_q", h_q},
          {"bound_fields_iid", ratio_bound(kBlock * 8, h_d + 32 * h_q)}};
}

Measures measure_q5_k(std::span<const uint8_t> data) {
  constexpr size_t kBlock = ggml::kQ5KBlockBytes;
  const size_t blocks = data.size() / kBlock;
  std::vector<uint64_t> d(1 << 16, 0), dmin(1 << 16, 0), scale(64, 0), min(64, 0),
      scale_min(4096, 0);
  std::vector<uint64_t> q(32, 0), q_given(4096 * 32, 0);
  uint8_t values[256];
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = &data[b * kBlock];
    ++d[load_u16le(p)];
    ++dmin[load_u16le(p + 2)];
    ggml::unpack_q5k_quants(p + 16, p + 48, values);
    uint8_t scales[8], mins[8];
    ggml::unpack_q4k_scales(p + 4, scales, mins);  // packed as in Q4_K
    for (int j = 0; j < 8; ++j) {
      const uint8_t sc = scales[j], m = mins[j];
      ++scale[sc];
      ++min[m];
      const size_t context = static_cast<size_t>(sc) * 64 + m;
      ++scale_min[context];
      for (int i = 0; i < 32; ++i) {
        ++q[values[32 * j + i]];
        ++q_given[context * 32 + values[32 * j + i]];
      }
    }
  }
  const double h_d = entropy_of_counts(d), h_dmin = entropy_of_counts(dmin);
  const double h_sm = entropy_of_counts(scale_min);
  const double h_q = entropy_of_counts(q), h_q_cond = conditional_entropy(q_given, 32);
  const double header = h_d + h_dmin + 8 * h_sm;
  return {{"q5k_h_d", h_d},
          {"q5k_h_dmin", h_dmin},
          {"q5k_h_scale", entropy_of_counts(scale)},
          {"q5k_h_min", entropy_of_counts(min)},
          {"q5k_h_scale_min", h_sm},
          {"q5k_h_q", h_q},
          {"q5k_h_q_given_scale_min", h_q_cond},
          {"bound_fields_iid", ratio_bound(kBlock * 8, header + 256 * h_q)},
          {"bound_fields_conditional", ratio_bound(kBlock * 8, header + 256 * h_q_cond)}};
}

Measures measure_q3_k(std::span<const uint8_t> data) {
  constexpr size_t kBlock = ggml::kQ3KBlockBytes;
  const size_t blocks = data.size() / kBlock;
  std::vector<uint64_t> d(1 << 16, 0), scale(64, 0), q(8, 0), q_given(64 * 8, 0);
  uint8_t values[256], scales[16];
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = &data[b * kBlock];
    ++d[load_u16le(p + 108)];
    ggml::unpack_q3k_quants(p, p + 32, values);
    ggml::unpack_q3k_scales(p + 96, scales);
    for (int s = 0; s < 16; ++s) ++scale[scales[s]];
    for (int i = 0; i < 256; ++i) {
      ++q[values[i]];
      ++q_given[static_cast<size_t>(scales[i / 16]) * 8 + values[i]];
    }
  }
  const double h_d = entropy_of_counts(d), h_sc = entropy_of_counts(scale);
  const double h_q = entropy_of_counts(q), h_q_cond = conditional_entropy(q_given, 8);
  const double header = h_d + 16 * h_sc;
  return {{"q3k_h_d", h_d},
          {"q3k_h_scale", h_sc},
          {"q3k_h_q", h_q},
          {"q3k_h_q_given_scale", h_q_cond},
          {"bound_fields_iid", ratio_bound(kBlock * 8, header + 256 * h_q)},
          {"bound_fields_conditional", ratio_bound(kBlock * 8, header + 256 * h_q_cond)}};
}

Measures measure_mxfp4(std::span<const uint8_t> data) {
  constexpr size_t kBlock = ggml::kMXFP4BlockBytes;
  const size_t blocks = data.size() / kBlock;
  std::vector<uint64_t> e(256, 0), code(16, 0), code_given(256 * 16, 0);
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = &data[b * kBlock];
    ++e[p[0]];
    for (size_t k = 1; k < kBlock; ++k)
      for (const uint8_t c : {static_cast<uint8_t>(p[k] & 0xF), static_cast<uint8_t>(p[k] >> 4)}) {
        ++code[c];
        ++code_given[static_cast<size_t>(p[0]) * 16 + c];
      }
  }
  const double h_e = entropy_of_counts(e);
  const double h_c = entropy_of_counts(code), h_c_cond = conditional_entropy(code_given, 16);
  return {{"mxfp4_h_e", h_e},
          {"mxfp4_h_code", h_c},
          {"mxfp4_h_code_given_e", h_c_cond},
          {"bound_fields_iid", ratio_bound(kBlock * 8, h_e + 32 * h_c)},
          {"bound_fields_conditional", ratio_bound(kBlock * 8, h_e + 32 * h_c_cond)}};
}

Measures measure_bounds(std::span<const uint8_t> data, TypeId type) {
  switch (type) {
    case type::kBF16:
      return measure_float16(data, true);
    case type::kF16:
      return measure_float16(data, false);
    case type::kF32:
      return measure_float32(data);
    case type::kQ4_K:
      return measure_q4_k(data);
    case type::kQ6_K:
      return measure_q6_k(data);
    case type::kQ8_0:
      return measure_q8_0(data);
    case type::kQ5_K:
      return measure_q5_k(data);
    case type::kQ3_K:
      return measure_q3_k(data);
    case type::kMXFP4:
      return measure_mxfp4(data);
    default:
      return {};
  }
}

double measure_value(const Measures& measures, const std::string& key, double fallback) {
  for (const auto& [name, value] : measures)
    if (name == key) return value;
  return fallback;
}

}  // namespace lcl::analysis
