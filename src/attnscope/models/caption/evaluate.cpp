#include "attnscope/models/caption/evaluate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "attnscope/attention/recorder.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/core/error.h"
#include "attnscope/data/bleu.h"
#include "attnscope/data/cider.h"
#include "attnscope/nn/eval_mode.h"

namespace attnscope::models {
namespace {

// The object the caption names first (-1: none).
int64_t first_object(const data::Scene& scene) {
  for (int64_t obj : scene.word_object)
    if (obj >= 0) return obj;
  return -1;
}

// BLEU-1..4, CIDEr-D and the exact rate of e.hypotheses against the reference sets.
void score_text(CaptionEval& e, const std::vector<std::vector<std::string>>& ref_sets) {
  int64_t exact = 0;
  for (size_t i = 0; i < ref_sets.size(); ++i)
    exact += std::find(ref_sets[i].begin(), ref_sets[i].end(), e.hypotheses[i]) != ref_sets[i].end();
  const data::BleuScore b = data::corpus_bleu(e.hypotheses, ref_sets);
  double log_sum = 0;
  for (int k = 0; k < 4; ++k) {
    log_sum += std::log(std::max(b.precisions[k], 1e-9) / 100.0);
    e.bleu[k] = 100.0 * b.brevity_penalty * std::exp(log_sum / (k + 1));
  }
  e.bleu[3] = b.score;
  e.cider = data::corpus_cider_d(e.hypotheses, ref_sets).score;
  e.exact = static_cast<double>(exact) / static_cast<double>(e.n);
}

// How focused the generated captions' looks are: sums over their words (the <eos> step left out)
// of alpha's entropy and of its largest weight times the number of cells (1: uniform), and of
// beta (adaptive attention: its weight on the sentinel instead of the image).
struct FocusSums {
  double entropy = 0, peak = 0, words = 0, cells = 0, beta = 0;
  bool has_beta = false;
  void add(const std::vector<GeneratedCaption>& captions) {
    for (const auto& c : captions)
      for (size_t t = 0; t < c.words.size() && t < c.alpha.size(); ++t) {
        float h = 0, top = 0;
        int32_t argmax = 0;
        attention::row_stats(c.alpha[t].data(), static_cast<int64_t>(c.alpha[t].size()), &h, &top, &argmax);
        cells = static_cast<double>(c.alpha[t].size());
        entropy += h;
        peak += top * cells;
        if (t < c.beta.size()) beta += c.beta[t], has_beta = true;
        words += 1;
      }
  }
  void into(CaptionEval& e) const {
    if (words == 0) return;
    e.focus_entropy = entropy / words;
    e.focus_peak = peak / words;
    e.focus_uniform = std::log(cells);
    if (has_beta) e.focus_beta = beta / words;
  }
};

}  // namespace

std::vector<std::vector<int>> scene_word_cells(const data::Scene& scene, int64_t grid) {
  const double cell = static_cast<double>(scene.image.width) / static_cast<double>(grid);
  std::vector<std::vector<int>> out(scene.words.size());
  for (size_t t = 0; t < scene.words.size(); ++t) {
    const int64_t obj = scene.word_object[t];
    if (obj < 0) continue;
    const data::SceneBox& box = scene.objects[static_cast<size_t>(obj)].box;
    for (int64_t k = 0; k < grid * grid; ++k)
      if (box.contains((k % grid + 0.5) * cell, (k / grid + 0.5) * cell)) out[t].push_back(static_cast<int>(k));
  }
  return out;
}

Look classify_look(const data::Scene& scene, size_t word, int64_t cell, int64_t grid) {
  const int64_t obj = scene.word_object.at(word);
  if (obj < 0) return Look::elsewhere;
  const double side = static_cast<double>(scene.image.width) / static_cast<double>(grid);
  const double x0 = static_cast<double>(cell % grid) * side, y0 = static_cast<double>(cell / grid) * side;
  const double cx = x0 + side / 2, cy = y0 + side / 2;
  const data::SceneBox& box = scene.objects[static_cast<size_t>(obj)].box;
  if (box.contains(cx, cy)) return Look::inside;
  if (x0 < box.x1 && x0 + side > box.x0 && y0 < box.y1 && y0 + side > box.y0) return Look::edge;
  for (const auto& o : scene.objects)
    if (o.box.contains(cx, cy)) return Look::other_object;
  return Look::elsewhere;
}

CaptionEval evaluate_captions(Captioner& model, const std::vector<const data::Image*>& images,
                              const std::vector<std::vector<std::vector<std::string>>>& references, int64_t beam) {
  if (images.size() != references.size()) throw ShapeError("evaluate_captions: as many reference sets as images needed");
  CaptionEval e;
  e.n = static_cast<int64_t>(images.size());
  if (images.empty()) return e;
  const size_t chunk = 64;
  FocusSums focus;
  for (size_t from = 0; from < images.size(); from += chunk) {
    const std::vector<const data::Image*> part(images.begin() + from, images.begin() + std::min(images.size(), from + chunk));
    const std::vector<GeneratedCaption> captions = model.generate(part, beam);
    for (const auto& c : captions) e.hypotheses.push_back(caption_text(c.words));
    focus.add(captions);
  }
  focus.into(e);
  std::vector<std::vector<std::string>> ref_sets;
  for (const auto& refs : references) {
    ref_sets.emplace_back();
    for (const auto& r : refs) ref_sets.back().push_back(caption_text(r));
  }
  score_text(e, ref_sets);
  return e;
}

CaptionEval evaluate_scenes(Captioner& model, const std::vector<data::Scene>& scenes, int64_t beam) {
  CaptionEval e;
  e.n = static_cast<int64_t>(scenes.size());
  if (scenes.empty()) return e;
  double mass = 0, beta_obj = 0, beta_fun = 0, role_hits[3] = {}, role_n[3] = {}, looks[4] = {};
  double order_hits[2] = {}, size_hits[2] = {}, size_n[2] = {};
  int64_t n_obj = 0, n_fun = 0;
  FocusSums focus;
  const int64_t g = model.config().grid(), K = g * g;
  const size_t chunk = 64;
  for (size_t from = 0; from < scenes.size(); from += chunk) {
    const size_t to = std::min(scenes.size(), from + chunk);
    std::vector<const data::Image*> images;
    std::vector<std::vector<std::string>> captions;
    for (size_t i = from; i < to; ++i) {
      images.push_back(&scenes[i].image);
      captions.push_back(scenes[i].words);
    }
    const std::vector<GeneratedCaption> generated = model.generate(images, beam);
    for (const auto& c : generated) e.hypotheses.push_back(caption_text(c.words));
    focus.add(generated);
    CaptionOutput out;
    {
      nn::EvalMode eval_mode(model);
      autograd::NoGrad ng;
      out = model.forward(model.make_batch(images, captions));
    }
    if (!out.alpha.defined()) continue;
    const std::vector<float> alpha = out.alpha.contiguous().to_vector();
    const std::vector<float> beta = out.beta.defined() ? out.beta.contiguous().to_vector() : std::vector<float>{};
    const int64_t T = out.alpha.size(1);
    for (size_t i = from; i < to; ++i) {
      const data::Scene& sc = scenes[i];
      const int64_t row = static_cast<int64_t>(i - from);
      const std::vector<std::vector<int>> cells = scene_word_cells(sc, g);
      const int64_t first = first_object(sc);
      for (size_t t = 0; t < sc.words.size(); ++t) {
        const float* a = alpha.data() + (row * T + static_cast<int64_t>(t)) * K;
        const int64_t obj = sc.word_object[t];
        if (!beta.empty()) {
          const double b = beta[row * T + static_cast<int64_t>(t)];
          if (obj >= 0) beta_obj += b, ++n_obj;
          else beta_fun += b, ++n_fun;
        }
        if (obj < 0) continue;
        auto in_box = [&](int64_t k) { return std::find(cells[t].begin(), cells[t].end(), k) != cells[t].end(); };
        const Look look = classify_look(sc, t, std::max_element(a, a + K) - a, g);
        const bool hit = look == Look::inside;
        looks[static_cast<int>(look)] += 1;
        const auto& o = sc.objects[static_cast<size_t>(obj)];
        const int role = sc.words[t] == o.size ? 0 : sc.words[t] == o.colour ? 1 : 2;
        role_hits[role] += hit;
        role_n[role] += 1;
        const int later = obj != first ? 1 : 0;
        order_hits[later] += hit;
        ++e.order_words[later];
        if (role == 0) size_hits[later] += hit, size_n[later] += 1;
        for (int64_t k = 0; k < K; ++k)
          if (in_box(k)) mass += a[k];
        ++e.object_words;
      }
    }
  }
  std::vector<std::vector<std::string>> ref_sets;
  for (const auto& sc : scenes) ref_sets.push_back({sc.caption()});
  score_text(e, ref_sets);
  focus.into(e);
  if (e.object_words) {
    const double n = static_cast<double>(e.object_words);
    e.pointing = looks[static_cast<int>(Look::inside)] / n;
    e.correctness = mass / n;
    for (int k = 0; k < 3; ++k)
      if (role_n[k] > 0) e.pointing_by_role[k] = role_hits[k] / role_n[k];
    e.miss_edge = looks[static_cast<int>(Look::edge)] / n;
    e.miss_other = looks[static_cast<int>(Look::other_object)] / n;
    e.miss_elsewhere = looks[static_cast<int>(Look::elsewhere)] / n;
    for (int k = 0; k < 2; ++k) {
      if (e.order_words[k]) e.pointing_by_order[k] = order_hits[k] / static_cast<double>(e.order_words[k]);
      if (size_n[k] > 0) e.size_pointing_by_order[k] = size_hits[k] / size_n[k];
    }
  }
  if (n_obj && n_fun) {
    e.beta_object = beta_obj / static_cast<double>(n_obj);
    e.beta_function = beta_fun / static_cast<double>(n_fun);
  }
  return e;
}

std::vector<std::string> caption_report(const CaptionEval& e) {
  std::vector<std::string> lines;
  char buf[256];
  char pointing[32] = "n/a";
  if (e.pointing >= 0) std::snprintf(pointing, sizeof pointing, "%.1f%%", 100 * e.pointing);
  std::snprintf(buf, sizeof buf, "caption: bleu4=%.1f cider=%.2f pointing=%s n=%lld", e.bleu[3], e.cider, pointing,
                static_cast<long long>(e.n));
  lines.push_back(buf);
  std::snprintf(buf, sizeof buf, "bleu: bleu1=%.1f bleu2=%.1f bleu3=%.1f bleu4=%.1f exact=%.1f%%", e.bleu[0], e.bleu[1], e.bleu[2],
                e.bleu[3], 100 * e.exact);
  lines.push_back(buf);
  if (e.correctness >= 0) {
    std::snprintf(buf, sizeof buf,
                  "attention: correctness=%.1f%% (alpha mass inside the object's box) pointing size=%.1f%% colour=%.1f%% kind=%.1f%% object_words=%lld",
                  100 * e.correctness, 100 * e.pointing_by_role[0], 100 * e.pointing_by_role[1], 100 * e.pointing_by_role[2],
                  static_cast<long long>(e.object_words));
    lines.push_back(buf);
    std::snprintf(buf, sizeof buf,
                  "misses: edge=%.1f%% other_object=%.1f%% elsewhere=%.1f%% (shares of object words whose most attended cell "
                  "overlaps the box, lies in another object, or neither)",
                  100 * e.miss_edge, 100 * e.miss_other, 100 * e.miss_elsewhere);
    lines.push_back(buf);
    if (e.pointing_by_order[1] >= 0) {
      std::snprintf(buf, sizeof buf,
                    "order: first object pointing=%.1f%% (size words %.1f%%), later objects pointing=%.1f%% (size words %.1f%%)",
                    100 * e.pointing_by_order[0], 100 * e.size_pointing_by_order[0], 100 * e.pointing_by_order[1],
                    100 * e.size_pointing_by_order[1]);
      lines.push_back(buf);
    }
  }
  if (!e.hypotheses.empty()) {
    // How much the captions depend on the image: a decoder that ignores it writes one caption for
    // every image (on 800 photos and a CNN from scratch, some runs write 2 for 100).
    std::set<std::string> captions, words;
    for (const auto& h : e.hypotheses) {
      captions.insert(h);
      std::istringstream in(h);
      for (std::string w; in >> w;) words.insert(w);
    }
    std::snprintf(buf, sizeof buf, "diversity: distinct_captions=%zu/%zu words_used=%zu", captions.size(), e.hypotheses.size(),
                  words.size());
    lines.push_back(buf);
  }
  if (e.focus_entropy >= 0) {
    char beta[48] = "";
    if (e.focus_beta >= 0) std::snprintf(beta, sizeof beta, " beta=%.3f", e.focus_beta);
    std::snprintf(buf, sizeof buf, "focus: entropy=%.2f nats (uniform %.2f) peak=%.1fx uniform%s (the captions' words, mean)",
                  e.focus_entropy, e.focus_uniform, e.focus_peak, beta);
    lines.push_back(buf);
  }
  if (e.beta_object >= 0) {
    std::snprintf(buf, sizeof buf, "sentinel: beta object_words=%.3f function_words=%.3f (1 = not looking at the image)",
                  e.beta_object, e.beta_function);
    lines.push_back(buf);
  }
  return lines;
}

}  // namespace attnscope::models
