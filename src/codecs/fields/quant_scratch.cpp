// The field arrays' scope (quant_scratch.hpp).
#include "codecs/fields/quant_scratch.hpp"

#include "codecs/codec_scratch.hpp"
#include "lcl/error.hpp"

namespace lcl::quant {

namespace {
// Not owning: the arrays belong to the workspace of the innermost open scope on this thread.
thread_local FieldScratch* current = nullptr;
}  // namespace

FieldScratchScope::FieldScratchScope(Workspace& workspace) : previous_(current) {
  current = &workspace.scratch().fields;
}

FieldScratchScope::~FieldScratchScope() {
  current = previous_;
}

FieldScratch& field_scratch() {
  if (!current)
    throw Error(ErrorKind::kUsage, "internal error: quant field coded outside a workspace scope");
  return *current;
}

}  // namespace lcl::quant
