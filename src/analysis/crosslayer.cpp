#include "analysis/crosslayer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>

#include "analysis/statistics.hpp"
#include "analysis/tensor_names.hpp"
#include "lcl/codec.hpp"
#include "lcl/error.hpp"
#include "lcl/layout.hpp"
#include "lcl/source.hpp"
#include "util/byte_io.hpp"

namespace lcl::analysis {

namespace fs = std::filesystem;

float bf16_to_float(uint16_t v) {
  uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((bits >> 16) | 0x40);  // NaN
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

double pearson(const std::vector<float>& x, const std::vector<float>& y) {
  size_t n = std::min(x.size(), y.size());
  if (n < 2) return 0;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) mx += x[i], my += y[i];
  mx /= n, my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
}

void fit_affine(const std::vector<float>& x, const std::vector<float>& y, double& a, double& b) {
  size_t n = std::min(x.size(), y.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) mx += x[i], my += y[i];
  if (n) mx /= n, my /= n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
  a = sxx > 0 ? sxy / sxx : 0;
  b = my - a * mx;
}

namespace {

// Y (m x k) = A (m x n) * B (n x k), all row-major.
void matmul(const std::vector<float>& A, const std::vector<float>& B, size_t m, size_t n, size_t k,
            std::vector<float>& Y) {
  Y.assign(m * k, 0.0f);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      float a = A[i * n + j];
      const float* b = &B[j * k];
      float* y = &Y[i * k];
      for (size_t c = 0; c < k; ++c) y[c] += a * b[c];
    }
}

// Y (n x k) = A^T * B where A is m x n and B is m x k.
void matmul_transposed(const std::vector<float>& A, const std::vector<float>& B, size_t m, size_t n,
                       size_t k, std::vector<float>& Y) {
  Y.assign(n * k, 0.0f);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      float a = A[i * n + j];
      const float* b = &B[i * k];
      float* y = &Y[j * k];
      for (size_t c = 0; c < k; ++c) y[c] += a * b[c];
    }
}

// Orthonormalizes the k columns of the m x k row-major Q in place (modified Gram-Schmidt in
// double; a column that vanishes becomes zero and adds nothing).
void orthonormalize(std::vector<float>& Q, size_t m, size_t k) {
  for (size_t c = 0; c < k; ++c) {
    for (size_t p = 0; p < c; ++p) {
      double dot = 0;
      for (size_t i = 0; i < m; ++i) dot += static_cast<double>(Q[i * k + c]) * Q[i * k + p];
      for (size_t i = 0; i < m; ++i) Q[i * k + c] -= static_cast<float>(dot) * Q[i * k + p];
    }
    double norm = 0;
    for (size_t i = 0; i < m; ++i) norm += static_cast<double>(Q[i * k + c]) * Q[i * k + c];
    norm = std::sqrt(norm);
    for (size_t i = 0; i < m; ++i)
      Q[i * k + c] = norm > 1e-20 ? static_cast<float>(Q[i * k + c] / norm) : 0.0f;
  }
}

}  // namespace

void low_rank_approximation(const std::vector<float>& R, size_t m, size_t n, int rank,
                            uint64_t seed, std::vector<float>& U, std::vector<float>& V) {
  size_t k =
      static_cast<size_t>(std::max(1, std::min<int>(rank, static_cast<int>(std::min(m, n)))));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> omega(n * k);
  for (auto& v : omega) v = normal(rng);
  // Range finder with two power iterations: Q spans the top singular directions of R well even
  // when the spectrum decays slowly (as it does for near-iid weights).
  std::vector<float> Q, Z;
  matmul(R, omega, m, n, k, Q);
  orthonormalize(Q, m, k);
  for (int it = 0; it < 2; ++it) {
    matmul_transposed(R, Q, m, n, k, Z);  // n x k
    orthonormalize(Z, n, k);
    matmul(R, Z, m, n, k, Q);  // m x k
    orthonormalize(Q, m, k);
  }
  // V = Q^T R (k x n): computed as (R^T Q)^T.
  matmul_transposed(R, Q, m, n, k, Z);  // n x k
  V.assign(k * n, 0.0f);
  for (size_t j = 0; j < n; ++j)
    for (size_t c = 0; c < k; ++c) V[c * n + j] = Z[j * k + c];
  U = std::move(Q);
}

uint64_t CrossLayerPair::best_bytes() const {
  uint64_t best = std::min(alone_bytes, affine_bytes ? affine_bytes : alone_bytes);
  if (lowrank_rank > 0) best = std::min(best, lowrank_bytes);
  return best;
}

namespace {

const Codec& residual_codec() {
  for (const Codec* c : all_codecs())
    if (c->id() >= codec_id::kFloat && c->accepts(type::kBF16)) return *c;
  const Codec* zstd = find_codec(codec_id::kZstd);
  if (!zstd) throw Error(ErrorKind::kUnsupported, "no codec for BF16 data is registered");
  return *zstd;
}

// Coded size of BF16 values with the codec (chunked like the compressor, 4 MiB pieces), and a
// check that the codec gives them back.
uint64_t coded_size(const std::vector<uint16_t>& values, const TensorInfo& info) {
  const Codec& codec = residual_codec();
  std::vector<uint8_t> bytes(values.size() * 2);
  for (size_t i = 0; i < values.size(); ++i)
    bytes[2 * i] = static_cast<uint8_t>(values[i]),
              bytes[2 * i + 1] = static_cast<uint8_t>(values[i] >> 8);
  EncodeContext context;
  context.type = codec.id() == codec_id::kZstd ? type::kOpaque : type::kBF16;
  context.tensor = &info;
  uint64_t total = 0;
  uint64_t chunk = PlanOptions{}.chunk_size;
  std::vector<uint8_t> payload, back;
  for (uint64_t offset = 0; offset < bytes.size(); offset += chunk) {
    std::span<const uint8_t> piece(bytes.data() + offset,
                                   std::min<uint64_t>(chunk, bytes.size() - offset));
    payload.clear();
    codec.encode(piece, context, payload);
    back.assign(piece.size(), 0);
    codec.decode(payload, back);
    if (!std::equal(back.begin(), back.end(), piece.begin()))
      throw Error(ErrorKind::kCorruptInput,
                  "codec " + std::string(codec.name()) + " failed its roundtrip");
    total += payload.size();
  }
  return total;
}

// bf16 bits -> an unsigned key in the order of the values (negative values reversed), so that
// close values have close keys.
uint16_t ordered_key(uint16_t v) {
  return static_cast<uint16_t>(v ^ ((v & 0x8000) ? 0xFFFF : 0x8000));
}

// The cost of coding y given a float prediction, the cheaper of two lossless residual mappings
// (each coded by the same codec as y alone; `exceptions` is set for the first):
//  - float domain: r = bf16(y - p), y = bf16(p + r), with exceptions (varint index delta + the
//    16-bit value) where that does not give y back;
//  - integer domain: zigzag(key(y) - key(p)) as 16-bit symbols, exact by construction.
uint64_t residual_cost(const std::vector<uint16_t>& y, const std::vector<float>& prediction,
                       const TensorInfo& info, uint64_t& exceptions) {
  std::vector<uint16_t> residual(y.size()), key_residual(y.size());
  std::vector<uint8_t> exception_bytes;
  ByteWriter writer(exception_bytes);
  uint64_t last = 0;
  exceptions = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    uint16_t p_bits = float_to_bf16(prediction[i]);
    float p = bf16_to_float(p_bits);
    uint16_t r = float_to_bf16(bf16_to_float(y[i]) - p);
    residual[i] = r;
    if (float_to_bf16(p + bf16_to_float(r)) != y[i]) {
      writer.varint(i - last);
      writer.u16(y[i]);
      last = i;
      ++exceptions;
    }
    auto d = static_cast<int16_t>(static_cast<uint16_t>(ordered_key(y[i]) - ordered_key(p_bits)));
    key_residual[i] =
        static_cast<uint16_t>((static_cast<uint16_t>(d) << 1) ^ static_cast<uint16_t>(d >> 15));
  }
  uint64_t float_domain =
      coded_size(residual, info) + exception_bytes.size() + 8 /* exception count */;
  uint64_t integer_domain = coded_size(key_residual, info) + 1 /* which mapping */;
  return std::min(float_domain + 1, integer_domain);
}

struct FloatTensor {
  std::string name;
  TensorInfo info;
  std::vector<uint16_t> bits;
  std::vector<float> values;
};

}  // namespace

CrossLayerReport cross_layer_study(const fs::path& model, const CrossLayerOptions& options) {
  auto log = [&](const std::string& s) {
    if (options.log) options.log(s);
  };
  CrossLayerReport report;
  report.codec = std::string(residual_codec().name());
  std::string model_name = fs::absolute(model).filename().string();
  // role -> layer -> tensor; only BF16 tensors with a layer index.
  struct Location {
    fs::path file;
    Region region;
    bool innermost_first = false;  // GGUF lists ne0 (the row length) first
  };
  std::map<std::string, std::map<int, Location>> roles;
  for (const auto& file : model_files(model)) {
    FileSource source(file);
    Layout layout = read_layout(source);
    for (const auto& region : layout.regions) {
      if (region.kind != RegionKind::kTensor || region.tensor.type != type::kBF16) continue;
      auto role = parse_tensor_role(region.tensor.name);
      if (role.layer < 0) continue;
      // Unclassified tensors pair by their own name component, not as one "other" role.
      roles[role.role == "other" ? "other:" + role.detail : role.role][role.layer] = {
          file, region, layout.format == FileFormat::kGguf};
    }
  }
  auto load = [](const Location& loc) {
    FloatTensor t;
    t.name = loc.region.tensor.name;
    t.info = loc.region.tensor;
    std::vector<uint8_t> bytes(loc.region.size);
    FileSource(loc.file).read(loc.region.offset, bytes);
    t.bits.resize(bytes.size() / 2);
    t.values.resize(t.bits.size());
    for (size_t i = 0; i < t.bits.size(); ++i) {
      t.bits[i] = static_cast<uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
      t.values[i] = bf16_to_float(t.bits[i]);
    }
    return t;
  };
  for (const auto& [role, layers] : roles) {
    for (const auto& [layer, location] : layers) {
      auto next = layers.find(layer + 1);
      if (next == layers.end() || next->second.region.tensor.shape != location.region.tensor.shape)
        continue;
      FloatTensor x = load(location), y = load(next->second);
      CrossLayerPair pair;
      pair.model = model_name;
      pair.role = role;
      pair.layer = layer;
      pair.tensor_a = x.name;
      pair.tensor_b = y.name;
      pair.shape = y.info.shape;
      pair.original_bytes = y.bits.size() * 2;
      pair.pearson = pearson(x.values, y.values);
      fit_affine(x.values, y.values, pair.affine_a, pair.affine_b);
      pair.alone_bytes = coded_size(y.bits, y.info);
      std::vector<float> prediction(y.values.size());
      for (size_t i = 0; i < prediction.size(); ++i)
        prediction[i] = static_cast<float>(pair.affine_a * x.values[i] + pair.affine_b);
      pair.affine_bytes = residual_cost(y.bits, prediction, y.info, pair.affine_exceptions) + 8;
      // Low-rank correction of the affine residual, for matrices (safetensors shape: rows first).
      if (y.info.shape.size() == 2) {
        bool gguf = next->second.innermost_first;
        size_t m = y.info.shape[gguf ? 1 : 0], n = y.info.shape[gguf ? 0 : 1];
        std::vector<float> R(m * n);
        for (size_t i = 0; i < R.size(); ++i) R[i] = y.values[i] - prediction[i];
        for (int rank : options.ranks) {
          if (rank <= 0 || static_cast<size_t>(rank) >= std::min(m, n)) continue;
          std::vector<float> U, V;
          low_rank_approximation(R, m, n, rank, options.seed, U, V);
          // The factors travel as BF16, so predict with their BF16 values.
          for (auto& u : U) u = bf16_to_float(float_to_bf16(u));
          for (auto& v : V) v = bf16_to_float(float_to_bf16(v));
          std::vector<float> correction;
          matmul(U, V, m, static_cast<size_t>(rank), n, correction);
          std::vector<float> full(prediction.size());
          for (size_t i = 0; i < full.size(); ++i) full[i] = prediction[i] + correction[i];
          uint64_t exceptions = 0;
          uint64_t bytes = residual_cost(y.bits, full, y.info, exceptions) + 8 +
                           2 * static_cast<uint64_t>(rank) * (m + n);
          if (pair.lowrank_rank == 0 || bytes < pair.lowrank_bytes) {
            pair.lowrank_bytes = bytes;
            pair.lowrank_rank = rank;
          }
        }
      }
      char line[256];
      std::snprintf(line, sizeof line,
                    "%s layers %d->%d: r=%.4f alone %llu, affine %llu, low-rank %llu (rank %d)",
                    role.c_str(), layer, layer + 1, pair.pearson,
                    static_cast<unsigned long long>(pair.alone_bytes),
                    static_cast<unsigned long long>(pair.affine_bytes),
                    static_cast<unsigned long long>(pair.lowrank_bytes), pair.lowrank_rank);
      log(line);
      report.pairs.push_back(std::move(pair));
    }
  }
  return report;
}

nlohmann::json to_json(const CrossLayerPair& p) {
  return {{"model", p.model},
          {"role", p.role},
          {"layer", p.layer},
          {"tensor_a", p.tensor_a},
          {"tensor_b", p.tensor_b},
          {"shape", p.shape},
          {"pearson", p.pearson},
          {"affine_a", p.affine_a},
          {"affine_b", p.affine_b},
          {"original_bytes", p.original_bytes},
          {"alone_bytes", p.alone_bytes},
          {"affine_bytes", p.affine_bytes},
          {"affine_exceptions", p.affine_exceptions},
          {"lowrank_bytes", p.lowrank_bytes},
          {"lowrank_rank", p.lowrank_rank},
          {"net_gain_bytes", p.net_gain_bytes()}};
}

std::string format_cross_layer_report(const CrossLayerReport& report) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "residuals and layers alone coded with codec \"%s\"%s\n\n",
                report.codec.c_str(),
                report.codec == "zstd" ? " (no float codec is registered in this build)" : "");
  out += line;
  std::snprintf(line, sizeof line, "%-26s %5s %9s %11s %11s %11s %11s %5s %9s\n", "role", "K",
                "pearson", "bytes", "alone", "affine", "low-rank", "rank", "net gain");
  out += line;
  std::vector<double> rs;
  uint64_t alone = 0, best = 0, affine = 0, lowrank = 0, with_lowrank_alone = 0;
  for (const auto& p : report.pairs) {
    std::snprintf(line, sizeof line, "%-26s %5d %9.5f %11llu %11llu %11llu %11llu %5d %+9lld\n",
                  p.role.substr(0, 26).c_str(), p.layer, p.pearson,
                  static_cast<unsigned long long>(p.original_bytes),
                  static_cast<unsigned long long>(p.alone_bytes),
                  static_cast<unsigned long long>(p.affine_bytes),
                  static_cast<unsigned long long>(p.lowrank_bytes), p.lowrank_rank,
                  static_cast<long long>(p.net_gain_bytes()));
    out += line;
    rs.push_back(p.pearson);
    alone += p.alone_bytes;
    best += p.best_bytes();
    affine += p.affine_bytes;
    if (p.lowrank_rank > 0) lowrank += p.lowrank_bytes, with_lowrank_alone += p.alone_bytes;
  }
  if (report.pairs.empty()) return out + "no adjacent layers with equal shapes\n";
  std::vector<double> abs_rs;
  for (double r : rs) abs_rs.push_back(std::abs(r));
  std::snprintf(
      line, sizeof line,
      "\n%zu pairs; median Pearson r = %.5f (median |r| = %.5f)\n"
      "coding K+1 alone: %llu bytes; with the affine predictor: %llu (%+.3f%%); "
      "with low-rank (matrices only, vs %llu alone): %llu (%+.3f%%)\n"
      "best of the three per pair: %llu bytes, net %s of %lld bytes (%.3f%%) against coding "
      "alone\n",
      rs.size(), median(rs), median(abs_rs), static_cast<unsigned long long>(alone),
      static_cast<unsigned long long>(affine),
      100.0 * (double(affine) - double(alone)) / double(alone),
      static_cast<unsigned long long>(with_lowrank_alone), static_cast<unsigned long long>(lowrank),
      with_lowrank_alone
          ? 100.0 * (double(lowrank) - double(with_lowrank_alone)) / double(with_lowrank_alone)
          : 0.0,
      static_cast<unsigned long long>(best), best < alone ? "gain" : "no gain",
      static_cast<long long>(alone - best), 100.0 * (double(alone) - double(best)) / double(alone));
  out += line;
  return out;
}

}  // namespace lcl::analysis
