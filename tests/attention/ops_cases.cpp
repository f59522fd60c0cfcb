// Gradcheck cases for the attention layer's own ops and for dot-product attention on the
// reference path (masks, padding, GQA, biases, normalizers). Odd sizes on purpose.
#include <limits>

#include "../autograd/gradcheck_cases.h"
#include "attnscope/attention/alibi.h"
#include "attnscope/attention/dot_product.h"
#include "attnscope/attention/entmax.h"
#include "attnscope/attention/entropy.h"
#include "attnscope/attention/rope.h"
#include "attnscope/attention/sparsemax.h"

namespace attnscope::testing {
namespace {
using namespace attnscope::attention;
constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor causal_row_mask() {
  // [3, 5]; row 2 fully masked (a padded query).
  return Tensor::from(std::vector<double>{0, 0, -kInf, -kInf, -kInf, 0, 0, 0, 0, -kInf,
                                          -kInf, -kInf, -kInf, -kInf, -kInf}, Shape{3, 5});
}

AttentionResult ref(const Tensor& q, const Tensor& k, const Tensor& v, DotProductOptions o) {
  o.backend = Backend::reference;
  return dot_product_attention(q, k, v, o);
}

const GradcheckCaseRegistrar kAttentionOpCases({
    {"sparsemax", "sparsemax", [](Rng& r) { return std::vector<Tensor>{param(r, {4, 7}, -2, 2)}; },
     [](const auto& in) { return sparsemax(in[0]); }},
    {"sparsemax", "sparsemax_masked", [](Rng& r) { return std::vector<Tensor>{param(r, {2, 3, 5}, -1, 1)}; },
     [](const auto& in) { return sparsemax(in[0], causal_row_mask()); }},
    {"entmax15", "entmax15", [](Rng& r) { return std::vector<Tensor>{param(r, {4, 7}, -3, 3)}; },
     [](const auto& in) { return entmax15(in[0]); }},
    {"entmax15", "entmax15_masked", [](Rng& r) { return std::vector<Tensor>{param(r, {2, 3, 5}, -2, 2)}; },
     [](const auto& in) { return entmax15(in[0], causal_row_mask()); }},
    {"entropy", "entropy_of_softmax", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5}, -2, 2)}; },
     [](const auto& in) { return entropy(ops::softmax(in[0])); }},
    {"entropy", "entropy_of_sparsemax", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 6}, -1, 1)}; },
     [](const auto& in) { return entropy(sparsemax(in[0])); }},
    {"rope", "rope_interleaved", [](Rng& r) { return std::vector<Tensor>{param(r, {2, 3, 5, 6})}; },
     [](const auto& in) { return rope(in[0], 3); }},
    {"rope", "rope_half_partial", [](Rng& r) { return std::vector<Tensor>{param(r, {2, 5, 6})}; },
     [](const auto& in) { return rope(in[0], 0, {.base = 100, .rot_dims = 4, .pairing = RopePairing::half}); }},
    {"scaled_dot", "scaled_dot_causal_padded",
     [](Rng& r) { return std::vector<Tensor>{param(r, {2, 2, 3, 5}), param(r, {2, 2, 4, 5}), param(r, {2, 2, 4, 3})}; },
     [](const auto& in) {
       DotProductOptions o;
       o.mask.causal = true;
       o.mask.key_lengths = {4, 2};
       return ref(in[0], in[1], in[2], o).context;
     }},
    {"scaled_dot", "scaled_dot_gqa_window_temperature",
     [](Rng& r) { return std::vector<Tensor>{param(r, {1, 4, 5, 3}), param(r, {1, 2, 5, 3}), param(r, {1, 2, 5, 3})}; },
     [](const auto& in) {
       DotProductOptions o;
       o.mask.window = 2;
       o.temperature = 0.7;
       return ref(in[0], in[1], in[2], o).context;
     }},
    {"scaled_dot", "scaled_dot_learned_bias_alibi",
     [](Rng& r) {
       return std::vector<Tensor>{param(r, {1, 2, 3, 4}), param(r, {1, 2, 5, 4}), param(r, {1, 2, 5, 4}), param(r, {2, 3, 5})};
     },
     [](const auto& in) {
       DotProductOptions o;
       o.bias = in[3];
       o.alibi_slopes = alibi_slopes(2);
       o.mask.causal = true;
       return ref(in[0], in[1], in[2], o).context;
     }},
    {"scaled_dot", "sparsemax_attention_masked",
     [](Rng& r) { return std::vector<Tensor>{param(r, {1, 2, 3, 4}, -2, 2), param(r, {1, 2, 5, 4}, -2, 2), param(r, {1, 2, 5, 3})}; },
     [](const auto& in) {
       DotProductOptions o;
       o.normalizer = Normalizer::sparsemax;
       o.mask.key_lengths = {4};
       return ref(in[0], in[1], in[2], o).context;
     }},
    {"scaled_dot", "entmax_attention_causal",
     [](Rng& r) { return std::vector<Tensor>{param(r, {1, 1, 4, 3}, -2, 2), param(r, {1, 1, 4, 3}, -2, 2), param(r, {1, 1, 4, 2})}; },
     [](const auto& in) {
       DotProductOptions o;
       o.normalizer = Normalizer::entmax15;
       o.mask.causal = true;
       return ref(in[0], in[1], in[2], o).context;
     }},
});

}  // namespace
}  // namespace attnscope::testing
