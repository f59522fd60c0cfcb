#include "attnscope/attention/op_registry.h"

namespace attnscope::attention {

const std::vector<const autograd::OpDef*>& all_attention_ops() {
#define ATTNSCOPE_ATTENTION_OP_PTR(name) &kOp_##name,
  static const std::vector<const autograd::OpDef*> ops = {ATTNSCOPE_ATTENTION_OPS(ATTNSCOPE_ATTENTION_OP_PTR)};
#undef ATTNSCOPE_ATTENTION_OP_PTR
  return ops;
}

}  // namespace attnscope::attention
