#include "attnscope/cli/analyze_text.h"

#include <cmath>
#include <cstdio>

#include "attnscope/focus/gradient_attribution.h"
#include "attnscope/focus/layer_stacks.h"

namespace attnscope::cli {

namespace {

using nlohmann::json;

std::vector<double> row_of(const focus::AttentionMap& m, int64_t r) {
  return std::vector<double>(m.w.begin() + r * m.cols, m.w.begin() + (r + 1) * m.cols);
}

// Per layer l, the token importances of each gradient method for the attribution's query row.
struct LayerExplanations {
  std::vector<std::vector<double>> norm, grad_attention, grad_rollout;
};

LayerExplanations explanations(const models::Attribution& a) {
  LayerExplanations e;
  for (size_t l = 0; l < a.layers.size(); ++l) {
    e.norm.push_back(row_of(focus::norm_attention(a.layers[l]), a.query));
    e.grad_attention.push_back(row_of(focus::grad_attention(a.layers[l]), a.query));
    const std::vector<focus::AttentionGradient> prefix(a.layers.begin(), a.layers.begin() + static_cast<int64_t>(l) + 1);
    e.grad_rollout.push_back(row_of(focus::gradient_rollout_row(prefix, a.query), 0));
  }
  return e;
}

json table_json(const focus::FaithfulnessMean& m, const char* reference) {
  json rows = json::array();
  for (const auto& r : m.mean()) {
    json row = {{"layer", r.layer}};
    for (size_t i = 0; i < r.methods.size(); ++i) row[r.methods[i]] = std::isnan(r.rho[i]) ? json(nullptr) : json(r.rho[i]);
    rows.push_back(std::move(row));
  }
  return {{"reference", reference}, {"sentences", m.sentences()}, {"layers", std::move(rows)}};
}

void print_table(const focus::FaithfulnessMean& m, const char* title) {
  std::printf("faithfulness (Spearman vs %s, last token, %lld sentences):\n", title, static_cast<long long>(m.sentences()));
  for (const auto& line : m.lines()) std::printf("%s\n", line.c_str());
}

}  // namespace

void TextMeasures::add(models::TextTracer& tracer, const std::string& text, focus::FocusSums& sums) {
  if (!faithfulness && !head_importance && !attributions) {
    sums.add(tracer.trace(text), counts);
    return;
  }
  const std::vector<int32_t> ids = tracer.encode(text);
  const io::Trace t = tracer.trace_ids(ids);
  sums.add(t, counts);
  if (ids.size() < 2) return;  // nothing before the predicted token to explain
  ++texts_;
  if (head_importance) {
    const std::vector<double> d = tracer.head_ablation(ids);
    std::vector<double> g;
    for (const auto& layer : tracer.attribute_loss(ids).layers)
      for (double v : focus::head_gate_gradient(layer)) g.push_back(-v);  // first-order loss increase
    if (ablation_.empty()) ablation_.assign(d.size(), 0.0), gradient_.assign(g.size(), 0.0);
    for (size_t i = 0; i < d.size(); ++i) ablation_[i] += d[i];
    for (size_t i = 0; i < g.size() && i < gradient_.size(); ++i) gradient_[i] += g[i];
  }
  if (!attributions && !faithfulness) return;
  const models::Attribution a = tracer.attribute(ids);
  const LayerExplanations e = explanations(a);
  if (attributions) {
    json layers = json::array();
    for (size_t l = 0; l < a.layers.size(); ++l)
      layers.push_back({{"name", a.layers[l].name},
                        {"grad_attention", e.grad_attention[l]},
                        {"attention_norm", e.norm[l]},
                        {"head_gate_gradient", focus::head_gate_gradient(a.layers[l])}});
    last_ = {{"tokens", t.sequences.empty() ? json::array() : json(t.sequences.front().tokens)},
             {"query", a.query},
             {"target", a.target},
             {"logprob", a.logprob},
             {"input_gradient", a.input_gradient},
             {"grad_rollout", e.grad_rollout.empty() ? std::vector<double>{} : e.grad_rollout.back()},
             {"layers", std::move(layers)}};
  }
  if (!faithfulness || ids.size() < 3) return;  // too short to rank
  const auto stacks = focus::self_attention_stacks(t);
  if (stacks.empty()) return;
  const int64_t q = static_cast<int64_t>(ids.size()) - 1;
  const std::vector<double> loo = tracer.leave_one_out(ids);
  std::vector<focus::FaithfulnessRow> r1 = focus::explanation_faithfulness(t, stacks.front().layers, q, loo, fusion);
  std::vector<focus::FaithfulnessRow> r2 =
      focus::explanation_faithfulness(t, stacks.front().layers, q, a.input_gradient, fusion);
  if (a.layers.size() == r1.size()) {  // the gradient methods, per the same layers
    for (auto* rows : {&r1, &r2}) {
      const std::vector<double>& ref = rows == &r1 ? loo : a.input_gradient;
      focus::add_method(*rows, "attention_norm", e.norm, ref);
      focus::add_method(*rows, "grad_attention", e.grad_attention, ref);
      focus::add_method(*rows, "grad_rollout", e.grad_rollout, ref);
    }
    focus::add_method(r1, "input_gradient", std::vector<std::vector<double>>(r1.size(), a.input_gradient), loo);
  }
  vs_loo_.add(r1);
  vs_gradient_.add(r2);
}

void TextMeasures::write(json& report, const models::TextTracer& tracer) const {
  if (faithfulness) {
    json f = table_json(vs_loo_, "leave-one-out (log-probability drop of the predicted next token)");
    f["query"] = "last token";
    f["correlation"] = "Spearman";
    f["input_gradient"] = table_json(vs_gradient_, "input gradient (L2 norm of gradient x input embedding)");
    report["faithfulness"] = std::move(f);
  }
  if (head_importance) {
    const int64_t L = tracer.layers(), H = tracer.heads();
    auto per_layer = [&](const std::vector<double>& sum) {
      json layers = json::array();
      for (int64_t l = 0; l < L; ++l) {
        json heads = json::array();
        for (int64_t h = 0; h < H; ++h) {
          const size_t i = static_cast<size_t>(l * H + h);
          heads.push_back(texts_ && i < sum.size() ? sum[i] / static_cast<double>(texts_) : 0.0);
        }
        layers.push_back(std::move(heads));
      }
      return layers;
    };
    report["head_importance"] = {
        {"measure", "increase of the mean next-token loss (nats) when the head's output is zeroed (Michel et al. 2019)"},
        {"texts", texts_},
        {"layers", per_layer(ablation_)},
        {"gradient", {{"measure", "first-order estimate of the same: -dL/dxi = -sum A * dL/dA for a gate xi on the head, L the mean "
                                 "next-token loss (Michel et al. 2019's I_h is its absolute value); one backward per text"},
                      {"layers", per_layer(gradient_)}}}};
  }
  if (attributions && !last_.is_null()) report["attributions"] = last_;
}

void TextMeasures::print() const {
  if (!faithfulness) return;
  print_table(vs_loo_, "leave-one-out");
  print_table(vs_gradient_, "input gradient");
}

}  // namespace attnscope::cli
