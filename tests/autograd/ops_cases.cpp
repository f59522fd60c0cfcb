// Gradcheck cases for the rest of the op vocabulary: log_softmax, reductions, slicing and
// joining, gathers, selection, dropout, norms, losses, convolution and pooling. Odd sizes (not
// multiples of any vector width), masks, ignore_index, label smoothing, stride/padding, ties.
#include <limits>

#include "gradcheck_cases.h"

namespace attnscope::testing {
namespace {
using namespace attnscope::ops;
using Inputs = std::vector<Tensor>;

constexpr double kInf = std::numeric_limits<double>::infinity();

// An additive causal-style mask [3, 5] whose last row is fully masked, and its 0/1 form.
Tensor additive_mask() {
  return Tensor::from(std::vector<double>{0, -kInf, -kInf, 0, -kInf, 0, 0, -kInf, 0, 0,
                                          -kInf, -kInf, -kInf, -kInf, -kInf},
                      Shape{3, 5});
}
Tensor masked_positions() {
  return Tensor::from(std::vector<double>{0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1}, Shape{3, 5});
}

const GradcheckCaseRegistrar kOpCases({
    // ---- log_softmax
    {"log_softmax", "log_softmax", [](Rng& r) { return Inputs{param(r, {3, 7}, -2, 2)}; },
     [](const auto& in) { return log_softmax(in[0]); }},
    {"log_softmax", "log_softmax_masked_with_full_row",
     [](Rng& r) { return Inputs{param(r, {2, 3, 5}, -2, 2)}; },
     [](const auto& in) {
       // Masked entries are -inf; zero them so the checked loss stays finite.
       return masked_fill(log_softmax(in[0], additive_mask()), masked_positions(), 0.0);
     }},
    {"log_softmax", "log_softmax_wide_row", [](Rng& r) { return Inputs{param(r, {2, 37}, -3, 3)}; },
     [](const auto& in) { return log_softmax(in[0]); }},
    // ---- reductions
    {"mean", "mean_all", [](Rng& r) { return Inputs{param(r, {3, 5})}; },
     [](const auto& in) { return mean(in[0]); }},
    {"mean", "mean_dims_keepdim", [](Rng& r) { return Inputs{param(r, {3, 4, 5})}; },
     [](const auto& in) { return mean(in[0], {0, -1}, true); }},
    {"mean", "mean_middle", [](Rng& r) { return Inputs{param(r, {3, 4, 5})}; },
     [](const auto& in) { return mean(in[0], {1}); }},
    {"max", "max_middle_dim", [](Rng& r) { return Inputs{param(r, {3, 5, 4})}; },
     [](const auto& in) { return max(in[0], 1); }},
    {"max", "max_last_keepdim", [](Rng& r) { return Inputs{param(r, {3, 7})}; },
     [](const auto& in) { return max(in[0], -1, true); }},
    {"max", "max_with_ties",
     [](Rng&) {
       Tensor t = Tensor::from(std::vector<double>{0.5, 0.9, 0.9, -1, 0.3, 0.3, 0.1, 0.2, 2, 2, 2, 1}, Shape{3, 4});
       t.requires_grad_();
       return Inputs{t};
     },
     [](const auto& in) { return max(in[0], 1); }},
    // ---- slicing and joining
    {"slice", "slice_step", [](Rng& r) { return Inputs{param(r, {3, 9})}; },
     [](const auto& in) { return slice(in[0], 1, 1, 8, 3); }},
    {"slice", "slice_negative_of_view", [](Rng& r) { return Inputs{param(r, {5, 4})}; },
     [](const auto& in) { return slice(transpose(in[0], 0, 1), -1, -4, 100); }},
    {"concat", "concat_three", [](Rng& r) { return Inputs{param(r, {2, 3, 5}), param(r, {2, 1, 5}), param(r, {2, 4, 5})}; },
     [](const auto& in) { return concat({in[0], in[1], in[2]}, 1); }},
    {"concat", "concat_last_with_view", [](Rng& r) { return Inputs{param(r, {3, 2}), param(r, {5, 3})}; },
     [](const auto& in) { return concat({in[0], transpose(in[1], 0, 1)}, -1); }},
    {"stack", "stack_first", [](Rng& r) { return Inputs{param(r, {3, 5}), param(r, {3, 5})}; },
     [](const auto& in) { return stack({in[0], in[1]}, 0); }},
    {"stack", "stack_last", [](Rng& r) { return Inputs{param(r, {3, 5}), param(r, {3, 5}), param(r, {3, 5})}; },
     [](const auto& in) { return stack({in[0], in[1], in[2]}, -1); }},
    // ---- gathers
    {"index_select", "index_select_repeats", [](Rng& r) { return Inputs{param(r, {3, 5, 2})}; },
     [](const auto& in) { return index_select(in[0], 1, {4, 0, 4, 2, 4}); }},
    {"index_select", "index_select_rows", [](Rng& r) { return Inputs{param(r, {6, 3})}; },
     [](const auto& in) { return index_select(in[0], 0, {5, 1, 1}); }},
    {"embedding", "embedding_2d_ids", [](Rng& r) { return Inputs{param(r, {7, 5})}; },
     [](const auto& in) { return embedding(in[0], {3, 0, 6, 3, 3, 1}, Shape{2, 3}); }},
    // ---- selection
    {"masked_fill", "masked_fill_broadcast", [](Rng& r) { return Inputs{param(r, {3, 5})}; },
     [](const auto& in) {
       return masked_fill(in[0], Tensor::from(std::vector<double>{1, 0, 0, 1, 0}, Shape{1, 5}), -7.0);
     }},
    {"where", "where_broadcast", [](Rng& r) { return Inputs{param(r, {3, 5}), param(r, {5})}; },
     [](const auto& in) {
       return where(Tensor::from(std::vector<double>{1, 0, 1}, Shape{3, 1}), in[0], in[1]);
     }},
    // ---- dropout (a fresh Rng per call: gradcheck evaluates f many times)
    {"dropout", "dropout_p03", [](Rng& r) { return Inputs{param(r, {4, 9})}; },
     [](const auto& in) {
       Rng rng(77);
       return dropout(in[0], 0.3, true, rng);
     }},
    // ---- norms
    // ---- attention scores (the fused tanh: T > 1 sums dk over queries, B > 1 sums dv over items)
    {"additive_score", "additive_score_B2_T3_N5_A7",
     [](Rng& r) { return Inputs{param(r, {2, 3, 7}, -1.5, 1.5), param(r, {2, 5, 7}, -1.5, 1.5), param(r, {1, 7})}; },
     [](const auto& in) { return additive_score(in[0], in[1], in[2]); }},
    {"additive_score", "additive_score_single_query_wide",
     [](Rng& r) { return Inputs{param(r, {3, 1, 37}), param(r, {3, 4, 37}), param(r, {37})}; },
     [](const auto& in) { return additive_score(in[0], in[1], in[2]); }},
    {"layer_norm", "layer_norm_affine", [](Rng& r) { return Inputs{param(r, {3, 7}, -2, 2), param(r, {7}), param(r, {7})}; },
     [](const auto& in) { return layer_norm(in[0], in[1], in[2]); }},
    {"layer_norm", "layer_norm_3d_no_affine", [](Rng& r) { return Inputs{param(r, {2, 3, 19}, -2, 2)}; },
     [](const auto& in) { return layer_norm(in[0], Tensor(), Tensor(), 1e-3); }},
    {"rms_norm", "rms_norm", [](Rng& r) { return Inputs{param(r, {3, 7}, -2, 2), param(r, {7})}; },
     [](const auto& in) { return rms_norm(in[0], in[1]); }},
    {"rms_norm", "rms_norm_wide", [](Rng& r) { return Inputs{param(r, {2, 37}, -2, 2), param(r, {37})}; },
     [](const auto& in) { return rms_norm(in[0], in[1], 1e-5); }},
    // ---- losses
    {"cross_entropy", "cross_entropy", [](Rng& r) { return Inputs{param(r, {4, 7}, -2, 2)}; },
     [](const auto& in) { return cross_entropy(in[0], {3, 0, 6, 2}); }},
    {"cross_entropy", "cross_entropy_ignore_smoothing", [](Rng& r) { return Inputs{param(r, {2, 3, 5}, -2, 2)}; },
     [](const auto& in) { return cross_entropy(in[0], {1, -1, 4, 0, -1, 2}, -1, 0.1); }},
    {"mse", "mse", [](Rng& r) { return Inputs{param(r, {3, 5}), param(r, {3, 5})}; },
     [](const auto& in) { return mse(in[0], in[1]); }},
    // ---- convolution and pooling
    {"conv2d", "conv2d_stride2_pad1_bias",
     [](Rng& r) { return Inputs{param(r, {2, 3, 7, 6}), param(r, {4, 3, 3, 2}), param(r, {4})}; },
     [](const auto& in) { return conv2d(in[0], in[1], in[2], 2, 1); }},
    {"conv2d", "conv2d_no_bias", [](Rng& r) { return Inputs{param(r, {1, 2, 5, 5}), param(r, {3, 2, 3, 3})}; },
     [](const auto& in) { return conv2d(in[0], in[1], Tensor()); }},
    // The captioner's shape (3x3, stride 1, padding 1) on odd sizes, batch 3: im2col's copy path.
    {"conv2d", "conv2d_3x3_same_odd_batch3",
     [](Rng& r) { return Inputs{param(r, {3, 2, 5, 7}), param(r, {3, 2, 3, 3}), param(r, {3})}; },
     [](const auto& in) { return conv2d(in[0], in[1], in[2], 1, 1); }},
    // Padding wider than the kernel reach and stride 3: whole rows and columns of zeros.
    {"conv2d", "conv2d_stride3_pad3",
     [](Rng& r) { return Inputs{param(r, {2, 2, 4, 5}), param(r, {2, 2, 2, 3}), param(r, {2})}; },
     [](const auto& in) { return conv2d(in[0], in[1], in[2], 3, 3); }},
    // Stacked: the second convolution's input gradient flows through col2im into the first.
    {"conv2d", "conv2d_stacked_stride2",
     [](Rng& r) { return Inputs{param(r, {2, 1, 6, 5}), param(r, {2, 1, 3, 3}), param(r, {3, 2, 2, 2})}; },
     [](const auto& in) { return conv2d(conv2d(in[0], in[1], Tensor(), 1, 1), in[2], Tensor(), 2, 0); }},
    // 3x3 stride 1, 8+ channels, 16+ outputs a side: the Winograd path, F(4x4, 3x3) with the last
    // tiles cut (16x17), then stacked (18x18 at padding 1 under 16x16 at padding 0) so dx flows through.
    {"conv2d", "conv2d_winograd_cut_tiles",
     [](Rng& r) { return Inputs{param(r, {1, 8, 16, 17}), param(r, {8, 8, 3, 3}), param(r, {8})}; },
     [](const auto& in) { return conv2d(in[0], in[1], in[2], 1, 1); }},
    {"conv2d", "conv2d_winograd_stacked",
     [](Rng& r) { return Inputs{param(r, {1, 8, 18, 18}), param(r, {8, 8, 3, 3}), param(r, {9, 8, 3, 3})}; },
     [](const auto& in) { return conv2d(conv2d(in[0], in[1], Tensor(), 1, 1), in[2], Tensor(), 1, 0); }},
    {"max_pool2d", "max_pool2d_overlapping", [](Rng& r) { return Inputs{param(r, {2, 3, 7, 7})}; },
     [](const auto& in) { return max_pool2d(in[0], 3, 2); }},
    {"avg_pool2d", "avg_pool2d_2x2", [](Rng& r) { return Inputs{param(r, {2, 2, 6, 5})}; },
     [](const auto& in) { return avg_pool2d(in[0], 2, 2); }},
    {"avg_pool2d", "avg_pool2d_overlapping", [](Rng& r) { return Inputs{param(r, {1, 2, 5, 6})}; },
     [](const auto& in) { return avg_pool2d(in[0], 3, 1); }},
});

}  // namespace
}  // namespace attnscope::testing
