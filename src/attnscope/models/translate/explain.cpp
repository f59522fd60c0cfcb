#include "attnscope/models/translate/explain.h"

#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/focus/cross_paths.h"
#include "attnscope/focus/head_fusion.h"
#include "attnscope/focus/layer_stacks.h"
#include "attnscope/focus/rank_correlation.h"
#include "attnscope/nn/eval_mode.h"

namespace attnscope::models {

namespace {

// log p(y_t) for every target position, teacher-forced: [T].
std::vector<double> target_logprobs(Seq2SeqModel& m, const Batch& b) {
  autograd::NoGrad ng;
  const std::vector<float> lp = ops::log_softmax(m.forward(b)).to_vector();  // [1, T, V]
  const int64_t V = m.target_vocab_size();
  std::vector<double> out(b.T);
  for (int64_t t = 0; t < b.T; ++t) out[t] = lp[t * V + b.tgt_out[t]];
  return out;
}

std::vector<double> row(const focus::AttentionMap& m, int64_t r) {
  return std::vector<double>(m.w.begin() + r * m.cols, m.w.begin() + (r + 1) * m.cols);
}

}  // namespace

TranslationExplanation explain_translation(Translator& tr, const std::string& text) {
  const Translation out = tr.translate({text}).front();
  TranslationExplanation e;
  e.source = out.source_tokens;
  e.target = out.target_tokens;
  e.target.push_back("<eos>");
  Seq2SeqModel& m = tr.model();
  const nn::EvalMode eval_mode(m);
  const std::vector<int64_t> src = tr.codec().source_vocab.encode(out.source_tokens);
  const int64_t S = static_cast<int64_t>(src.size()), T = static_cast<int64_t>(e.target.size());
  // The ids of the tokens as trace_pair reads them (decoding drops <pad>/<bos>, so target_ids may
  // hold more than the tokens).
  const std::vector<int64_t> tgt = tr.codec().target_vocab.encode(out.target_tokens);
  const Batch b = make_batch({src}, {tgt});
  // Leave-one-out: one teacher-forced forward per removed source token.
  const std::vector<double> base = target_logprobs(m, b);
  e.leave_one_out.assign(T, std::vector<double>(S, 0.0));
  for (int64_t j = 0; j < S && S > 1; ++j) {
    std::vector<int64_t> x = src;
    x.erase(x.begin() + j);
    const std::vector<double> lp = target_logprobs(m, make_batch({x}, {tgt}));
    for (int64_t t = 0; t < T; ++t) e.leave_one_out[t][j] = base[t] - lp[t];
  }
  // Input gradients: one backward per target position, through the source-embedding probe.
  e.input_gradient.assign(T, std::vector<double>(S, 0.0));
  m.probe_source(true);
  try {
    for (int64_t t = 0; t < T; ++t) {
      const Tensor logits = m.forward(b);  // [1, T, V]
      const Tensor lp = ops::log_softmax(ops::slice(logits, 1, t, t + 1));
      autograd::backward(ops::sum(ops::slice(lp, 2, b.tgt_out[t], b.tgt_out[t] + 1)));
      const Tensor& probe = m.source_probe();
      const std::vector<float> g = probe.grad().defined() ? probe.grad().to_vector() : std::vector<float>(probe.numel(), 0.f);
      const std::vector<float> x = m.source_embedded().to_vector();
      const int64_t C = probe.size(2);
      for (int64_t j = 0; j < S; ++j) {
        double s = 0;
        for (int64_t c = 0; c < C; ++c) s += std::pow(double(g[j * C + c]) * x[j * C + c], 2);
        e.input_gradient[t][j] = std::sqrt(s);
      }
    }
  } catch (...) {
    m.probe_source(false);
    throw;
  }
  m.probe_source(false);
  // The attention explanations from the teacher-forced trace.
  const io::Trace trace = tr.trace_pair(out.source_tokens, out.target_tokens);
  std::vector<focus::AttentionMap> encoder;
  for (const auto& st : focus::self_attention_stacks(trace))
    if (st.sequence == "source") encoder = focus::fused_layers(trace, st.layers, focus::HeadFusion::mean);
  for (size_t l = 0; l < trace.layers.size(); ++l) {
    const io::TraceLayer& L = trace.layers[l];
    if (L.query_seq != "target" || L.key_seq != "source") continue;
    const focus::AttentionMap cross = focus::head_map(L, focus::kHeadMean);
    e.layers.push_back(L.name);
    auto& raw = e.raw.emplace_back();
    auto& roll = e.rollout.emplace_back();
    auto& flow = e.flow.emplace_back();
    for (int64_t t = 0; t < T; ++t) {
      raw.push_back(row(cross, t));
      roll.push_back(focus::cross_rollout(raw.back(), encoder));
      flow.push_back(focus::cross_flow(raw.back(), encoder));
    }
  }
  if (e.layers.empty()) throw ConfigError("explain: the translator has no cross-attention layer");
  return e;
}

void add_faithfulness(const TranslationExplanation& e, focus::FaithfulnessMean& vs_loo, focus::FaithfulnessMean& vs_gradient) {
  if (e.source.size() < 3) return;
  for (size_t t = 0; t < e.target.size(); ++t) {
    std::vector<focus::FaithfulnessRow> a, g;
    for (size_t l = 0; l < e.layers.size(); ++l) {
      const auto& ref = e.leave_one_out[t];
      const auto& grad = e.input_gradient[t];
      a.push_back({e.layers[l],
                   {"raw", "rollout", "flow", "input_gradient"},
                   {focus::spearman_rho(e.raw[l][t], ref), focus::spearman_rho(e.rollout[l][t], ref),
                    focus::spearman_rho(e.flow[l][t], ref), focus::spearman_rho(grad, ref)}});
      g.push_back({e.layers[l],
                   {"raw", "rollout", "flow"},
                   {focus::spearman_rho(e.raw[l][t], grad), focus::spearman_rho(e.rollout[l][t], grad),
                    focus::spearman_rho(e.flow[l][t], grad)}});
    }
    vs_loo.add(a);
    vs_gradient.add(g);
  }
}

}  // namespace attnscope::models
