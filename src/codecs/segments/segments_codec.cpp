// segments codec (id 7): one chunk made of several pieces, typically the small
// tensors of a GGUF file (a few hundred KB each, of two or three types) with the norm vectors and
// padding between them. Every piece of one type is coded with the others of that type, as one
// stream of the type's own codec: the static models are paid once per chunk instead of once per
// tensor, and the metadata, padding and plain-byte pieces go through zstd together.
//
// Payload: u8 version, varint piece count, per piece varint group and varint size; varint group
// count, per group u16 codec id (what encode_chunk_payload chose: the type's codec, zstd or
// store), varint payload size and the payload. A group's bytes are its pieces' in chunk order.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <string>

#include "codecs/chunk_encoder.hpp"
#include "codecs/codec_scratch.hpp"
#include "codecs/segments/segments_codec.hpp"
#include "codecs/zstd/zstd_codec.hpp"
#include "lcl/error.hpp"
#include "util/byte_buffer.hpp"
#include "util/byte_io.hpp"

namespace lcl {
namespace {

constexpr uint8_t kFormatVersion = kSegmentsVersions[0];
static_assert(std::size(kSegmentsVersions) == 1);

// The codec that codes pieces of `type`, or zstd (with the pieces as plain bytes).
const Codec& codec_for(const Segment& piece) {
  if (const Codec* codec = specialised_codec_for(piece.type, piece.size)) return *codec;
  return zstd_codec();
}

// Float tensors below this size may share their type's model (see FloatGrouping).
constexpr uint64_t kSmallFloatBytes = 256 << 10;

// How float pieces are grouped. Larger float tensors keep models of their own: their exponent
// distributions differ from tensor to tensor more than a table costs. Small ones (a model with
// 64 x 64 weights, norm vectors) pay a table and 32 rANS lane states each, more than sharing a
// model loses; the encoder codes both ways and keeps the smaller (on stories260K's bf16 file the
// shared model saves ~1.5 KB of 306 KB and lets its tied output copy of the embedding reach the
// plain-byte group, where zstd finds the repeat). Quantized blocks are normalised by their scales,
// so one model fits a run's tensors of a type and is paid once.
enum class FloatGrouping { kPerTensor, kSmallShared };

bool merges_tensors(const Codec& codec, uint64_t piece_size, FloatGrouping floats) {
  if (codec.id() != codec_id::kFloat) return true;
  return floats == FloatGrouping::kSmallShared && piece_size < kSmallFloatBytes;
}

struct Group {
  const Codec* codec = nullptr;
  TypeId type = type::kOpaque;
  bool shared = false;  // other pieces of the type may join it
  uint64_t bytes = 0;
  size_t pieces = 0;
};

// Groups in order of first appearance: the pieces of a type whose codec merges tensors share one,
// other float pieces get one each, pieces coded as plain bytes share one.
std::vector<Group> assign_groups(const std::vector<Segment>& pieces,
                                 const std::vector<const Codec*>& codec_of, FloatGrouping floats,
                                 std::vector<uint32_t>& group_of) {
  std::vector<Group> groups;
  group_of.assign(pieces.size(), 0);
  for (size_t i = 0; i < pieces.size(); ++i) {
    const Codec& codec = *codec_of[i];
    const TypeId type = codec.id() == codec_id::kZstd ? type::kOpaque : pieces[i].type;
    const bool merges = merges_tensors(codec, pieces[i].size, floats);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return g.shared && g.codec == &codec && g.type == type;
    });
    if (!merges) it = groups.end();
    if (it == groups.end()) it = groups.insert(groups.end(), Group{&codec, type, merges, 0, 0});
    it->bytes += pieces[i].size;
    ++it->pieces;
    group_of[i] = static_cast<uint32_t>(it - groups.begin());
  }
  return groups;
}

// The bytes of group g: its pieces' in chunk order. Pieces that follow each other in the chunk
// (a tensor alone in its group, the usual case for large ones) are the input itself; others are
// copied into `bytes` (the copy was 5% of a bf16 file's compress time).
std::span<const uint8_t> gather(std::span<const uint8_t> input, const std::vector<Segment>& pieces,
                                const std::vector<uint32_t>& group_of, uint32_t g,
                                std::vector<uint8_t>& bytes) {
  uint64_t first = 0, end = 0, total = 0, at = 0;
  bool found = false;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (group_of[i] == g) {
      if (!found) first = at;
      found = true;
      end = at + pieces[i].size;
      total += pieces[i].size;
    }
    at += pieces[i].size;
  }
  if (end - first == total) return input.subspan(first, total);
  bytes.clear();
  at = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (group_of[i] == g)
      bytes.insert(bytes.end(), input.begin() + at, input.begin() + at + pieces[i].size);
    at += pieces[i].size;
  }
  return bytes;
}

// The payloads of the groups coded in this chunk, by codec and pieces: the groupings the encoder
// tries share most of their groups, and each is coded once. The entries live in the workspace.
class GroupPayloads {
 public:
  explicit GroupPayloads(std::vector<GroupPayload>& entries) : entries_(entries) {}
  // The entry of a group with these pieces coded by codec, or -1.
  std::ptrdiff_t find(const Codec* codec, const std::vector<uint32_t>& pieces) const {
    for (size_t e = 0; e < count_; ++e)
      if (entries_[e].codec == codec && entries_[e].pieces == pieces)
        return static_cast<std::ptrdiff_t>(e);
    return -1;
  }
  // A new entry, with the buffers of an earlier chunk's entry where there is one.
  size_t add(const Codec* codec, const std::vector<uint32_t>& pieces) {
    if (count_ == entries_.size()) entries_.emplace_back();
    GroupPayload& e = entries_[count_];
    e.codec = codec;
    e.pieces = pieces;
    e.used = codec_id::kStore;
    e.coded.clear();
    return count_++;
  }
  GroupPayload& operator[](size_t e) { return entries_[e]; }
  const GroupPayload& operator[](size_t e) const { return entries_[e]; }

 private:
  std::vector<GroupPayload>& entries_;
  size_t count_ = 0;
};

// Codes each group (or finds it coded already); entry_of[g]: group g's entry in known.
void encode_groups(std::span<const uint8_t> input, const std::vector<Segment>& pieces,
                   const std::vector<uint32_t>& group_of, const std::vector<Group>& groups,
                   int level, GroupPayloads& known, std::vector<size_t>& entry_of,
                   Workspace& workspace) {
  std::vector<uint8_t>& bytes = workspace.scratch().segments.gathered;
  entry_of.assign(groups.size(), 0);
  std::vector<uint32_t> members;
  for (uint32_t g = 0; g < groups.size(); ++g) {
    members.clear();
    for (uint32_t i = 0; i < group_of.size(); ++i)
      if (group_of[i] == g) members.push_back(i);
    if (const std::ptrdiff_t e = known.find(groups[g].codec, members); e >= 0) {
      entry_of[g] = static_cast<size_t>(e);
      continue;
    }
    const std::span<const uint8_t> group_bytes = gather(input, pieces, group_of, g, bytes);
    EncodeContext group_context;
    group_context.type = groups[g].type;
    group_context.level = level;
    entry_of[g] = known.add(groups[g].codec, members);
    GroupPayload& entry = known[entry_of[g]];
    entry.used =
        encode_chunk_payload(group_bytes, *groups[g].codec, group_context, entry.coded, workspace);
    // encode_chunk_payload leaves the payload empty for store: the payload is the bytes.
    if (entry.used == codec_id::kStore) entry.coded.assign(group_bytes.begin(), group_bytes.end());
  }
}

// Moves (in codec_of) to zstd the pieces of merged groups, up to kGenericTrialBytes, that zstd
// alone codes smaller than their share of the group's payload; true when any moved.
bool moves_small_tensors_to_zstd(std::span<const uint8_t> input, const std::vector<Segment>& pieces,
                                 const std::vector<uint32_t>& group_of,
                                 const std::vector<Group>& groups, const GroupPayloads& known,
                                 const std::vector<size_t>& entry_of, int level,
                                 std::vector<const Codec*>& codec_of, Workspace& workspace) {
  bool moved = false;
  std::vector<uint8_t>& trial = workspace.scratch().segments.trial;
  EncodeContext generic;
  generic.level = level;
  uint64_t at = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const Group& group = groups[group_of[i]];
    const uint64_t size = pieces[i].size;
    if (group.pieces > 1 && group.codec != &zstd_codec() && size <= kGenericTrialBytes) {
      trial.clear();
      zstd_codec().encode(input.subspan(at, size), generic, trial, workspace);
      // trial / size < payload / group bytes, without division.
      const size_t payload = known[entry_of[group_of[i]]].coded.size();
      if (static_cast<double>(trial.size()) * static_cast<double>(group.bytes) <
          static_cast<double>(payload) * static_cast<double>(size)) {
        codec_of[i] = &zstd_codec();
        moved = true;
      }
    }
    at += size;
  }
  return moved;
}

// The pieces' groups and their payloads under one float grouping.
struct CodedGroups {
  std::vector<uint32_t> group_of;  // per piece
  std::vector<size_t> entry_of;    // per group: its payload in the chunk's GroupPayloads
  uint64_t payload_bytes(const GroupPayloads& known) const {
    uint64_t bytes = 0;
    for (size_t e : entry_of) bytes += known[e].coded.size();
    return bytes;
  }
};

void code_groups(std::span<const uint8_t> input, const std::vector<Segment>& pieces,
                 FloatGrouping floats, int level, GroupPayloads& known, CodedGroups& out,
                 Workspace& workspace) {
  std::vector<const Codec*> codec_of(pieces.size());
  for (size_t i = 0; i < pieces.size(); ++i) codec_of[i] = &codec_for(pieces[i]);
  std::vector<Group> groups = assign_groups(pieces, codec_of, floats, out.group_of);
  encode_groups(input, pieces, out.group_of, groups, level, known, out.entry_of, workspace);
  // A small tensor that zstd codes better than its group's codec does on average (an embedding
  // with repeated rows, say) leaves the group for the plain bytes: what a chunk of its own got
  // from encode_chunk_payload's zstd trial before tensors were grouped.
  if (moves_small_tensors_to_zstd(input, pieces, out.group_of, groups, known, out.entry_of, level,
                                  codec_of, workspace)) {
    groups = assign_groups(pieces, codec_of, floats, out.group_of);
    encode_groups(input, pieces, out.group_of, groups, level, known, out.entry_of, workspace);
  }
}

// Whether sharing small float tensors' models can change the grouping: two such pieces of a type.
bool has_small_floats_to_share(const std::vector<Segment>& pieces) {
  std::vector<TypeId> seen;
  for (const Segment& piece : pieces) {
    const Codec& codec = codec_for(piece);
    if (codec.id() != codec_id::kFloat || piece.size >= kSmallFloatBytes) continue;
    if (std::find(seen.begin(), seen.end(), piece.type) != seen.end()) return true;
    seen.push_back(piece.type);
  }
  return false;
}

// The pieces and groups of a payload, as it lists them.
struct PieceLayout {
  std::vector<uint32_t> group_of;     // per piece
  std::vector<uint64_t> sizes;        // per piece
  std::vector<uint64_t> group_bytes;  // per group: the original bytes of its pieces
  std::vector<CodecId> group_codec;   // per group: the codec id as written (not checked here)
  std::vector<std::span<const uint8_t>> group_payload;  // per group
};

// Reads the pieces and the group records of a payload for a chunk of chunk_size bytes, checking
// the sizes; leaves r after the last group.
PieceLayout read_layout(ByteReader& r, uint64_t chunk_size) {
  if (r.u8() != kFormatVersion) r.fail("unknown segments format version");
  // A piece takes at least one byte of the chunk and two of the payload, which bounds the
  // counts before anything is allocated.
  const uint64_t piece_count =
      r.varint_at_most(std::min<uint64_t>(chunk_size, r.remaining() / 2), "piece count");
  PieceLayout layout;
  layout.group_of.resize(piece_count);
  layout.sizes.resize(piece_count);
  uint64_t total = 0;
  for (uint64_t i = 0; i < piece_count; ++i) {
    // A piece opens the next group or joins an earlier one (groups in order of appearance).
    const auto group =
        static_cast<uint32_t>(r.varint_at_most(layout.group_bytes.size(), "piece group"));
    if (group == layout.group_bytes.size()) layout.group_bytes.push_back(0);
    const uint64_t size = r.varint_at_most(chunk_size - total, "piece size");
    if (size == 0) r.fail("empty piece");
    total += size;
    layout.group_of[i] = group;
    layout.sizes[i] = size;
    layout.group_bytes[group] += size;
  }
  if (total != chunk_size) r.fail("pieces do not add up to the chunk size");
  if (r.varint() != layout.group_bytes.size()) r.fail("group count does not match the pieces");
  for (size_t g = 0; g < layout.group_bytes.size(); ++g) {
    layout.group_codec.push_back(r.u16());
    layout.group_payload.push_back(r.bytes(r.varint_at_most(r.remaining(), "group payload size")));
  }
  return layout;
}

class SegmentsCodec final : public Codec {
 public:
  // Never routed by type: the planner chooses it for runs of pieces.
  bool accepts(TypeId) const override { return false; }

  void encode(std::span<const uint8_t> input, const EncodeContext& context,
              std::vector<uint8_t>& out, Workspace& workspace) const override {
    // Empty pieces are dropped (the decoder rejects them: each piece holds at least one byte).
    std::vector<Segment> pieces;
    for (const Segment& s : context.segments)
      if (s.size > 0) pieces.push_back(s);
    if (context.segments.empty() && !input.empty()) pieces.push_back({context.type, input.size()});
    uint64_t total = 0;
    for (const Segment& s : pieces) total += s.size;
    if (total != input.size())
      throw Error(ErrorKind::kUsage, "segments: pieces of " + std::to_string(total) +
                                         " bytes for a chunk of " + std::to_string(input.size()));

    // The payloads are kept by the workspace from chunk to chunk (see decode).
    GroupPayloads known(workspace.scratch().segments.payloads);
    CodedGroups per_tensor, shared;
    code_groups(input, pieces, FloatGrouping::kPerTensor, context.level, known, per_tensor,
                workspace);
    const CodedGroups* best = &per_tensor;
    if (has_small_floats_to_share(pieces)) {
      code_groups(input, pieces, FloatGrouping::kSmallShared, context.level, known, shared,
                  workspace);
      if (shared.payload_bytes(known) < per_tensor.payload_bytes(known)) best = &shared;
    }
    const auto& group_of = best->group_of;

    ByteWriter w(out);
    w.u8(kFormatVersion);
    w.varint(pieces.size());
    for (size_t i = 0; i < pieces.size(); ++i) {
      w.varint(group_of[i]);
      w.varint(pieces[i].size);
    }
    w.varint(best->entry_of.size());
    for (size_t e : best->entry_of) {
      w.u16(known[e].used);
      w.varint(known[e].coded.size());
      w.bytes(known[e].coded);
    }
  }

  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
              Workspace& workspace) const override {
    ByteReader r(payload, "segments payload");
    const PieceLayout layout = read_layout(r, out.size());
    if (!r.at_end()) r.fail("trailing bytes");
    const auto& group_of = layout.group_of;
    const auto& sizes = layout.sizes;
    const auto& group_bytes = layout.group_bytes;
    const size_t piece_count = sizes.size();

    // A group whose pieces follow each other in the chunk (a chunk of one type, or the run of
    // tensors after a header) is decoded straight into its place. The others are decoded whole
    // into their part of the workspace's buffer (reused: a fresh chunk-sized allocation per
    // chunk costs its zero fill and page faults), then their pieces copied to their places.
    const size_t groups = group_bytes.size();
    std::vector<uint64_t> first_at(groups, UINT64_MAX);  // where each group's first piece starts
    std::vector<uint64_t> last_piece(groups, 0), piece_total(groups, 0);
    std::vector<uint64_t> first_piece(groups, 0);
    for (uint64_t i = 0, at = 0; i < piece_count; at += sizes[i], ++i) {
      const uint32_t g = group_of[i];
      if (first_at[g] == UINT64_MAX) {
        first_at[g] = at;
        first_piece[g] = i;
      }
      last_piece[g] = i;
      ++piece_total[g];
    }
    std::vector<uint8_t> in_place(groups, 0);
    uint64_t elsewhere = 0;  // bytes of the groups decoded into the buffer
    for (size_t g = 0; g < groups; ++g) {
      in_place[g] = piece_total[g] != 0 && last_piece[g] - first_piece[g] + 1 == piece_total[g];
      if (!in_place[g]) elsewhere += group_bytes[g];
    }
    ByteBuffer& decoded = workspace.scratch().segments.decoded;
    if (decoded.size() < elsewhere) decoded.resize(elsewhere);
    std::vector<uint64_t> taken(groups, 0);  // first where each group starts in `decoded`
    for (size_t g = 0, start = 0; g < groups; ++g) {
      const CodecId id = layout.group_codec[g];
      const Codec* codec = find_codec(id);
      if (!codec || id == codec_id::kSegments) r.fail("unknown codec " + std::to_string(id));
      if (in_place[g]) {
        codec->decode(layout.group_payload[g], out.subspan(first_at[g], group_bytes[g]), workspace);
        continue;
      }
      codec->decode(layout.group_payload[g],
                    std::span<uint8_t>(decoded).subspan(start, group_bytes[g]), workspace);
      taken[g] = start;
      start += group_bytes[g];
    }
    uint64_t at = 0;
    for (uint64_t i = 0; i < piece_count; ++i) {
      const uint32_t g = group_of[i];
      if (!in_place[g]) {
        std::memcpy(out.data() + at, decoded.data() + taken[g], sizes[i]);
        taken[g] += sizes[i];
      }
      at += sizes[i];
    }
  }
};

}  // namespace

const Codec& segments_codec() {
  static const SegmentsCodec codec;
  return codec;
}

std::vector<PayloadShare> segments_payload_shares(std::span<const uint8_t> payload,
                                                  uint64_t chunk_size) {
  ByteReader r(payload, "segments payload");
  const PieceLayout layout = read_layout(r, chunk_size);
  // The header (what the payload holds besides the groups' payloads) is shared by the pieces in
  // proportion to their sizes, like each group's payload by its pieces.
  double header = static_cast<double>(payload.size());
  for (const auto& group : layout.group_payload) header -= static_cast<double>(group.size());
  std::vector<PayloadShare> shares;
  uint64_t at = 0;
  for (size_t i = 0; i < layout.sizes.size(); ++i) {
    const uint32_t g = layout.group_of[i];
    const double fraction =
        static_cast<double>(layout.sizes[i]) / static_cast<double>(layout.group_bytes[g]);
    const double overhead =
        header * static_cast<double>(layout.sizes[i]) / static_cast<double>(chunk_size);
    shares.push_back({at, layout.sizes[i],
                      fraction * static_cast<double>(layout.group_payload[g].size()) + overhead});
    at += layout.sizes[i];
  }
  return shares;
}

std::vector<SegmentsGroup> segments_groups(std::span<const uint8_t> payload, uint64_t chunk_size) {
  ByteReader r(payload, "segments payload");
  const PieceLayout layout = read_layout(r, chunk_size);
  std::vector<SegmentsGroup> groups;
  for (size_t g = 0; g < layout.group_bytes.size(); ++g)
    groups.push_back({layout.group_codec[g], layout.group_payload[g], layout.group_bytes[g]});
  return groups;
}

}  // namespace lcl
