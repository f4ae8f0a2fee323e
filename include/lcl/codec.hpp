#pragma once
// Codecs turn one chunk of original bytes into a self-describing payload and back. Each codec has
// a stable numeric id written into .lcl files; an id, once released, never changes meaning.
// A codec is added by one folder in src/codecs/ plus one row in the registry table
// (src/codecs/registry.cpp), which gives it its id and name.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "lcl/layout.hpp"
#include "lcl/types.hpp"
#include "lcl/workspace.hpp"

namespace lcl {

using CodecId = uint16_t;

// The ids the container, the planner and the chunk encoder refer to by name (the registry checks
// them against its table at compile time); every other codec is known by its table row only.
namespace codec_id {
inline constexpr CodecId kStore = 0;
inline constexpr CodecId kZstd = 1;
inline constexpr CodecId kFloat = 2;  // the first id of the specialised (type-routed) codecs
inline constexpr CodecId kSegments = 7;
// a chunk coded against the same bytes of a base model (a fine-tune given its base)
inline constexpr CodecId kDelta = 12;
// a chunk equal to an earlier chunk of the same archive (tied embeddings, duplicated layers)
inline constexpr CodecId kCopy = 13;
}  // namespace codec_id

// Bytes of a reference file (a base model file the archive names, by its index in the archive's
// base list) that a chunk is coded against: the reference has the chunk's size.
struct ReferenceRange {
  uint32_t file = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

// The bytes of an earlier chunk of the same archive that a chunk equals (the copy codec): from
// `offset` of chunk `chunk`'s original bytes, as many as the copying chunk has.
struct CopySource {
  uint64_t chunk = 0;
  uint64_t offset = 0;
};

// A piece of a chunk: `size` bytes of elements of `type` (type::kOpaque: metadata, padding, or a
// tensor coded as plain bytes).
struct Segment {
  TypeId type = type::kOpaque;
  uint64_t size = 0;
};

// What the encoder knows about the chunk. The decoder gets none of it: everything it needs must
// be inside the payload (the container records only codec id, original size and checksum).
struct EncodeContext {
  TypeId type = type::kOpaque;         // element / block type of the bytes (kOpaque if unknown)
  const TensorInfo* tensor = nullptr;  // the tensor the chunk belongs to, nullptr for opaque data
  int level = 3;                       // effort, for codecs that have one (zstd level)
  // For the segments codec: the chunk's pieces in order (their sizes add up to the chunk's).
  std::vector<Segment> segments;
  // For codecs that code against a reference (the delta codec): the reference's bytes (as many as
  // the chunk's) and where they lie, which the payload records for the decoder.
  std::span<const uint8_t> reference;
  ReferenceRange reference_range;
  // For the copy codec: where in an earlier chunk of the archive these bytes are.
  std::optional<CopySource> copy_of;
};

class Codec {
 public:
  virtual ~Codec() = default;
  // The id and name of the codec's row in the registry table.
  CodecId id() const;
  std::string_view name() const;
  // True when this codec can encode bytes of `type` (the planner asks before routing).
  virtual bool accepts(TypeId type) const = 0;
  // Appends the payload of `input` to `out`. `input` may have any length (a codec for a block type
  // gets whole blocks from the planner, but must still handle or reject a ragged tail by throwing
  // lcl::Error(kUnsupported)). Scratch memory comes from `workspace` (lcl/workspace.hpp), which
  // the caller keeps from one chunk to the next; the codec holds none between calls.
  virtual void encode(std::span<const uint8_t> input, const EncodeContext& context,
                      std::vector<uint8_t>& out, Workspace& workspace) const = 0;
  // Decodes `payload` into exactly out.size() bytes. Throws lcl::Error(kCorruptInput) when the
  // payload is inconsistent; never reads or writes outside the two spans, whatever the payload.
  virtual void decode(std::span<const uint8_t> payload, std::span<uint8_t> out,
                      Workspace& workspace) const = 0;
  // The reference bytes a payload is coded against, read from the payload's header (codecs that
  // need none return nothing, and so may a payload of a reference codec that needs none). Throws
  // lcl::Error(kCorruptInput) when the header is inconsistent with a chunk of `chunk_size` bytes.
  virtual std::optional<ReferenceRange> reference(std::span<const uint8_t> /*payload*/,
                                                  uint64_t /*chunk_size*/) const {
    return std::nullopt;
  }
  // Decodes a payload that reference() named a reference for, given that reference's bytes.
  virtual void decode_with_reference(std::span<const uint8_t> payload,
                                     std::span<const uint8_t> /*reference*/, std::span<uint8_t> out,
                                     Workspace& workspace) const {
    decode(payload, out, workspace);
  }

  // The same three with a workspace of their own for the one call (tests, tools, single chunks):
  // a caller coding many chunks passes one workspace instead, so its buffers are reused.
  void encode(std::span<const uint8_t> input, const EncodeContext& context,
              std::vector<uint8_t>& out) const;
  void decode(std::span<const uint8_t> payload, std::span<uint8_t> out) const;
  void decode_with_reference(std::span<const uint8_t> payload, std::span<const uint8_t> reference,
                             std::span<uint8_t> out) const;
};

// nullptr for ids this version does not know.
const Codec* find_codec(CodecId id);
// Every registered codec, in id order.
std::vector<const Codec*> all_codecs();
// The specialised codec (id >= kFloat, lowest id first) that accepts bytes of `type`, or nullptr:
// the routing rule of the planner, which the benchmark's "lcl" method follows too.
const Codec* specialised_codec_for(TypeId type);
// The same for `size` bytes of `type`: nullptr unless they are whole blocks of a known type (the
// planner routes tensors with it, the segments codec the pieces of a run).
const Codec* specialised_codec_for(TypeId type, uint64_t size);

// How the planner cuts a Layout into chunks and picks their codecs.
struct PlanOptions {
  uint64_t chunk_size = 4u << 20;  // target chunk bytes (rounded down to whole blocks)
  int zstd_level = 3;              // for opaque regions and fall-backs
  bool store_only = false;         // no compression (for tests and for measuring I/O)
};

struct ChunkPlan {
  uint64_t offset = 0;  // in the original file
  uint64_t size = 0;
  CodecId codec = codec_id::kStore;
  EncodeContext context;  // context.tensor points into the Layout given to plan_chunks
  // Set where the chunk is a piece of a tensor that a base model holds with the same name, type
  // and shape: the base's bytes at the same place (the compressor then tries the delta codec).
  std::optional<ReferenceRange> reference;
  // Set where the chunk's bytes equal bytes of the earlier chunk plans[copy_of->chunk] (a tensor
  // identical to an earlier one): the chunk is written as a copy of them.
  std::optional<CopySource> copy_of;
  // Set on a chunk that a later chunk copies from: its frame tells a stream reader to keep it.
  bool kept = false;
};

// Regions with a specialised codec are cut into block-aligned chunks of at most chunk_size; runs
// of small or opaque regions are coalesced into zstd chunks so headers and padding cost little.
std::vector<ChunkPlan> plan_chunks(const Layout& layout, const PlanOptions& options);

}  // namespace lcl
