#include "attnscope/autograd/registry.h"

namespace attnscope::autograd {

const std::vector<const OpDef*>& all_ops() {
#define ATTNSCOPE_OP_PTR(name) &kOp_##name,
  static const std::vector<const OpDef*> ops = {ATTNSCOPE_OPS(ATTNSCOPE_OP_PTR)};
#undef ATTNSCOPE_OP_PTR
  return ops;
}

}  // namespace attnscope::autograd
