#include "attnscope/models/translate/decode.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "attnscope/autograd/graph.h"
#include "attnscope/core/error.h"
#include "attnscope/data/vocab.h"
#include "attnscope/nn/eval_mode.h"

namespace attnscope::models {
namespace {

std::vector<std::vector<int64_t>> greedy(Seq2SeqModel& model, const Batch& batch, const DecodeOptions& opt) {
  auto state = model.encode(batch);
  std::vector<std::vector<int64_t>> out(batch.B);
  std::vector<int64_t> prev(batch.B, data::Vocab::kBos);
  std::vector<bool> done(batch.B, false);
  for (int64_t t = 0; t < opt.max_len; ++t) {
    Tensor lp = model.decode_step(*state, prev).contiguous();
    const int64_t V = lp.size(-1);
    const float* p = lp.data<float>();
    bool all_done = true;
    for (int64_t i = 0; i < batch.B; ++i) {
      const int64_t best = std::max_element(p + i * V, p + (i + 1) * V) - (p + i * V);
      prev[i] = best;
      if (done[i]) continue;
      if (best == data::Vocab::kEos) done[i] = true;
      else out[i].push_back(best);
      all_done = all_done && done[i];
    }
    if (all_done) break;
  }
  return out;
}

// Beam search for one source (batch row `row`).
std::vector<int64_t> beam_one(Seq2SeqModel& model, const Batch& batch, int64_t row, const DecodeOptions& opt) {
  Batch one;
  one.B = 1;
  one.S = batch.S;
  one.src.assign(batch.src.begin() + row * batch.S, batch.src.begin() + (row + 1) * batch.S);
  one.src_len = {batch.src_len[row]};
  auto state = model.encode(one);
  const int K = opt.beam;
  struct Hyp {
    std::vector<int64_t> tokens;
    double logp = 0;
  };
  std::vector<Hyp> beams(1);
  std::vector<Hyp> finished;
  auto norm = [&](const Hyp& h, size_t len) { return h.logp / std::pow(static_cast<double>(std::max<size_t>(len, 1)), opt.length_alpha); };
  for (int64_t t = 0; t < opt.max_len && !beams.empty(); ++t) {
    std::vector<int64_t> prev;
    for (const auto& b : beams) prev.push_back(b.tokens.empty() ? data::Vocab::kBos : b.tokens.back());
    Tensor lp = model.decode_step(*state, prev).contiguous();
    const int64_t V = lp.size(-1);
    const float* p = lp.data<float>();
    // Candidates: (score, beam, token); keep the best 2K so that K survive after finishing some.
    std::vector<std::tuple<double, int64_t, int64_t>> cand;
    for (size_t b = 0; b < beams.size(); ++b)
      for (int64_t v = 0; v < V; ++v) {
        if (v == data::Vocab::kPad || v == data::Vocab::kBos) continue;
        cand.emplace_back(beams[b].logp + p[b * V + v], static_cast<int64_t>(b), v);
      }
    const size_t keep = std::min<size_t>(cand.size(), 2 * K);
    std::partial_sort(cand.begin(), cand.begin() + keep, cand.end(),
                      [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
    std::vector<Hyp> next;
    std::vector<int64_t> rows;
    for (size_t c = 0; c < keep && static_cast<int>(next.size()) < K; ++c) {
      const auto [score, b, v] = cand[c];
      Hyp h{beams[b].tokens, score};
      if (v == data::Vocab::kEos) {
        finished.push_back(h);
      } else {
        h.tokens.push_back(v);
        next.push_back(std::move(h));
        rows.push_back(b);
      }
    }
    // Stop once K hypotheses have finished (the OpenNMT criterion).
    if (static_cast<int>(finished.size()) >= K) break;
    beams = std::move(next);
    if (!beams.empty()) model.reorder(*state, rows);
  }
  for (auto& b : beams) finished.push_back(b);
  if (finished.empty()) return {};
  return std::max_element(finished.begin(), finished.end(),
                          [&](const Hyp& a, const Hyp& b) { return norm(a, a.tokens.size() + 1) < norm(b, b.tokens.size() + 1); })
      ->tokens;
}

}  // namespace

std::vector<std::vector<int64_t>> decode(Seq2SeqModel& model, const Batch& batch, const DecodeOptions& opt) {
  if (opt.beam < 1) throw ConfigError("decode: beam must be >= 1");
  if (opt.max_len < 1) throw ConfigError("decode: max_len must be >= 1");
  autograd::NoGrad no_grad;
  const nn::EvalMode eval_mode(model);
  std::vector<std::vector<int64_t>> out;
  if (opt.beam == 1) {
    out = greedy(model, batch, opt);
  } else {
    for (int64_t i = 0; i < batch.B; ++i) out.push_back(beam_one(model, batch, i, opt));
  }
  return out;
}

}  // namespace attnscope::models
