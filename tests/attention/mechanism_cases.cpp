// Gradcheck cases for the mechanisms' own math (after their Linear layers, which nn checks):
// additive score, local-p weights (window + Gaussian, differentiable centre), the sentinel gate
// and mix, the adaptive-span ramp mask, REINFORCE's loss, all with masks.
#include <limits>

#include "../autograd/gradcheck_cases.h"
#include "attnscope/attention/adaptive_span.h"
#include "attnscope/attention/entropy.h"
#include "attnscope/attention/hard.h"
#include "attnscope/attention/local.h"
#include "attnscope/attention/sentinel.h"
#include "attnscope/attention/soft.h"

namespace attnscope::testing {
namespace {
using namespace attnscope::attention;

Tensor pad_mask(std::vector<int32_t> lengths, int64_t N) {
  return SoftAttention::padding_mask(lengths, static_cast<int64_t>(lengths.size()), N, DType::f64, "test");
}

const GradcheckCaseRegistrar kMechanismCases({
    {"additive", "additive_score",
     [](Rng& r) { return std::vector<Tensor>{param(r, {2, 3, 4}), param(r, {2, 5, 4}), param(r, {1, 4})}; },
     [](const auto& in) { return ops::softmax(ops::additive_score(in[0], in[1], in[2]), pad_mask({5, 3}, 5)); }},
    {"local_p", "local_weights_centre_and_scores",
     [](Rng& r) { return std::vector<Tensor>{param(r, {2, 3, 9}), param(r, {2, 3}, 2.2, 6.7)}; },
     [](const auto& in) { return local_weights(in[0], in[1], 2, pad_mask({9, 7}, 9), Normalizer::softmax); }},
    {"sentinel", "sentinel_mix_masked",
     [](Rng& r) {
       return std::vector<Tensor>{param(r, {2, 3, 4}), param(r, {2, 3, 1}), param(r, {2, 4, 5}), param(r, {2, 3, 5})};
     },
     [](const auto& in) {
       AttentionResult res = sentinel_mix(in[0], in[1], in[2], in[3], pad_mask({4, 2}, 4));
       return ops::add(ops::sum(res.context), ops::sum(ops::mul(res.extras.at("beta"), res.extras.at("beta"))));
     }},
    {"adaptive_span", "span_mask_and_renormalize",
     // spans chosen away from the ramp's kinks (integer distances +- R)
     [](Rng& r) { return std::vector<Tensor>{param(r, {2, 4, 6}, -1, 1), param(r, {2}, 1.3, 2.6)}; },
     [](const auto& in) {
       Tensor p = ops::softmax(in[0], Tensor());
       return apply_soft_mask(ops::reshape(p, Shape{1, 2, 4, 6}), span_ramp_mask(in[1], 4, 6, 1.5));
     }},
    {"hard_sample", "reinforce_loss",
     [](Rng& r) { return std::vector<Tensor>{param(r, {3, 2, 5})}; },
     [](const auto& in) {
       Tensor p = ops::softmax(in[0]);
       Tensor onehot = Tensor::zeros(Shape{3, 2, 5}, DType::f64);
       for (int64_t i = 0; i < 6; ++i) onehot.data<double>()[i * 5 + (i * 3) % 5] = 1;
       Tensor logp = ops::log(ops::sum(ops::mul(onehot, p), {2}));
       return reinforce_loss(logp, {1.0, -0.5, 0.25}, 0.1, entropy(p), 0.03);
     }},
});

}  // namespace
}  // namespace attnscope::testing
