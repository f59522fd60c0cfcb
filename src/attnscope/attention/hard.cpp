#include "attnscope/attention/hard.h"

#include <cmath>
#include <limits>

#include "attnscope/attention/entropy.h"
#include "attnscope/attention/mask.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

const char* hard_mode_name(HardMode m) {
  switch (m) {
    case HardMode::argmax: return "hard_argmax";
    case HardMode::topk: return "hard_topk";
    case HardMode::sample: return "hard_sample";
    case HardMode::gumbel: return "hard_gumbel";
  }
  return "?";
}

HardAttention::HardAttention(const HardAttentionConfig& cfg, Rng& rng) : cfg_(cfg), sampler_(cfg.seed ? cfg.seed : rng.next_u64()) {
  if (cfg_.mode == HardMode::topk && cfg_.k < 1) throw ConfigError("hard attention (topk): k must be >= 1, got " + std::to_string(cfg_.k));
  if (!(cfg_.gumbel_tau > 0)) throw ConfigError("hard attention (gumbel): tau must be > 0");
  score_ = register_module("score", std::make_shared<SoftAttention>(cfg_.score, rng));
  register_rng("sampler", &sampler_);
}

namespace {

// One-hot [B, T, N] of per-row indices (dtype dt).
Tensor one_hot(const std::vector<int64_t>& idx, int64_t B, int64_t T, int64_t N, DType dt) {
  Tensor o = Tensor::zeros(Shape{B, T, N}, dt);
  dispatch_dtype(dt, [&]<class V>() {
    V* p = o.data<V>();
    for (int64_t r = 0; r < B * T; ++r) p[r * N + idx[r]] = V(1);
  });
  return o;
}

}  // namespace

AttentionResult HardAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values_in,
                                       const SoftCall& call) const {
  const char* op = hard_mode_name(cfg_.mode);
  check_memory_shapes(query, keys, values_in, cfg_.score.query_dim, cfg_.score.key_dim, op);
  const Tensor values = values_in.defined() ? values_in : keys;
  const int64_t B = query.size(0), T = query.size(1), N = keys.size(1);
  const DType dt = query.dtype();
  if (cfg_.mode == HardMode::topk && cfg_.k > N)
    throw ShapeError(std::string(op) + ": k = " + std::to_string(cfg_.k) + " is larger than the key count N = " +
                     std::to_string(N) + " (keys " + keys.str() + ")");
  Tensor e = score_->scores(query, keys, call.projected_keys);  // [B, T, N]
  if (cfg_.score.temperature != 1.0) e = ops::scale(e, 1.0 / cfg_.score.temperature);
  e = add_prior(e, call.prior, op);
  Tensor mask = SoftAttention::padding_mask(call.key_lengths, B, N, dt, op);
  const Tensor ed = e.detach().contiguous();
  const std::vector<double> ev = ed.to_vector_f64();
  for (double v : ev)
    if (!std::isfinite(v)) throw ValueError(std::string(op) + ": scores " + e.str() + " hold a non-finite value");
  auto valid = [&](int64_t b, int64_t j) { return call.key_lengths.empty() || j < call.key_lengths[b]; };
  for (int64_t b = 0; b < B; ++b)
    if (!call.key_lengths.empty() && call.key_lengths[b] == 0)
      throw ShapeError(std::string(op) + ": batch item " + std::to_string(b) + " has no valid key to select");

  AttentionResult r;
  Tensor probs = ops::softmax(e, mask);  // [B, T, N]
  r.extras["probs"] = probs;
  const bool stochastic = training() && (cfg_.mode == HardMode::sample || cfg_.mode == HardMode::gumbel);
  std::vector<int64_t> choice(B * T, 0);
  if (cfg_.mode == HardMode::topk) {
    // Keep the k best valid scores (ties to the lower index); softmax over them.
    Tensor keep = Tensor::zeros(Shape{B, T, N}, dt);
    dispatch_dtype(dt, [&]<class V>() {
      V* kp = keep.data<V>();
      std::vector<int64_t> order(N);
      for (int64_t r0 = 0; r0 < B * T; ++r0) {
        const int64_t b = r0 / T;
        int64_t n_valid = 0;
        for (int64_t j = 0; j < N; ++j)
          if (valid(b, j)) order[n_valid++] = j;
        const int64_t kk = std::min<int64_t>(cfg_.k, n_valid);
        std::partial_sort(order.begin(), order.begin() + kk, order.begin() + n_valid, [&](int64_t a, int64_t c) {
          return ev[r0 * N + a] > ev[r0 * N + c] || (ev[r0 * N + a] == ev[r0 * N + c] && a < c);
        });
        for (int64_t s = 0; s < kk; ++s) kp[r0 * N + order[s]] = V(1);
        choice[r0] = order[0];
      }
    });
    r.weights = ops::softmax(e, keep_to_additive(keep));
  } else {
    const std::vector<double> pv = probs.detach().contiguous().to_vector_f64();
    Tensor soft;  // gumbel: the relaxed sample
    std::vector<double> y = ev;
    if (stochastic && cfg_.mode == HardMode::gumbel) {
      Tensor g = Tensor::empty(Shape{B, T, N}, dt);
      dispatch_dtype(dt, [&]<class V>() {
        V* gp = g.data<V>();
        for (int64_t i = 0; i < B * T * N; ++i) {
          const double u = std::max(sampler_.uniform(), 1e-300);
          gp[i] = static_cast<V>(-std::log(-std::log(u)));
        }
      });
      soft = ops::softmax(ops::scale(ops::add(e, g), 1.0 / cfg_.gumbel_tau), mask);
      y = soft.detach().contiguous().to_vector_f64();
    }
    for (int64_t r0 = 0; r0 < B * T; ++r0) {
      const int64_t b = r0 / T;
      if (stochastic && cfg_.mode == HardMode::sample) {
        double u = sampler_.uniform(), acc = 0;
        int64_t pick = -1;
        for (int64_t j = 0; j < N; ++j) {
          if (!valid(b, j) || pv[r0 * N + j] <= 0) continue;
          pick = j;  // falls back to the last positive entry when rounding leaves u above the sum
          acc += pv[r0 * N + j];
          if (u < acc) break;
        }
        choice[r0] = pick;
      } else {
        int64_t best = -1;
        for (int64_t j = 0; j < N; ++j)
          if (valid(b, j) && (best < 0 || y[r0 * N + j] > y[r0 * N + best])) best = j;
        choice[r0] = best;
      }
    }
    Tensor hard = one_hot(choice, B, T, N, dt);
    // Straight-through: forward value `hard`, gradient of `soft`.
    r.weights = soft.defined() ? ops::add(hard, ops::sub(soft, soft.detach())) : hard;
    if (cfg_.mode == HardMode::sample) {
      r.extras["log_prob"] = ops::log(ops::sum(ops::mul(hard, probs), {2}));  // [B, T]
      r.extras["entropy"] = entropy(probs);                                   // [B, T]
    }
  }
  r.context = ops::matmul(r.weights, values);  // [B, T, Cv]
  std::vector<float> cf(choice.begin(), choice.end());
  r.extras["sample"] = Tensor::from(std::span<const float>(cf), Shape{B, T}).to(dt);
  if (recording()) {
    Extras ex;
    ex["hard_sample"] = Extra::of(r.extras["sample"], true, 0);
    if (recorder_->keep().mode == io::TraceKeep::dense) ex["probs"] = Extra::of(probs.detach(), true, 0);
    recorder_->record({.name = record_name_, .mechanism = op,
                       .kind = cfg_.mode == HardMode::topk ? WeightKind::sparse : WeightKind::hard,
                       .query_seq = "target", .key_seq = "source", .query_offset = call.query_offset},
                      ops::reshape(r.weights.detach(), Shape{B, 1, T, N}), std::move(ex));
  }
  return r;
}

void ReinforceBaseline::update(double mean_reward) {
  value_ = started_ ? momentum_ * value_ + (1 - momentum_) * mean_reward : mean_reward;
  started_ = true;
}

Tensor reinforce_loss(const Tensor& log_prob, const std::vector<double>& reward, double baseline, const Tensor& entropy_t,
                      double entropy_bonus) {
  const bool per_step = log_prob.ndim() == 2 && static_cast<int64_t>(reward.size()) == log_prob.numel() && log_prob.size(1) > 1;
  if (log_prob.ndim() != 2 || (!per_step && static_cast<int64_t>(reward.size()) != log_prob.size(0)) ||
      (entropy_t.defined() && !(entropy_t.shape() == log_prob.shape())))
    throw ShapeError("reinforce_loss: expected log_prob [B, T], reward [B] or [B * T], entropy [B, T]; got log_prob " + log_prob.str() +
                     ", " + std::to_string(reward.size()) + " rewards" + (entropy_t.defined() ? ", entropy " + entropy_t.str() : ""));
  std::vector<double> adv(reward.size());
  for (size_t b = 0; b < reward.size(); ++b) adv[b] = reward[b] - baseline;
  Tensor a = Tensor::from(std::span<const double>(adv), per_step ? log_prob.shape() : Shape{log_prob.size(0), 1}).to(log_prob.dtype());
  const double n = static_cast<double>(log_prob.numel());
  Tensor loss = ops::scale(ops::sum(ops::mul(a, log_prob)), -1.0 / n);
  if (entropy_t.defined() && entropy_bonus != 0) loss = ops::sub(loss, ops::scale(ops::sum(entropy_t), entropy_bonus / n));
  return loss;
}

}  // namespace attnscope::attention
