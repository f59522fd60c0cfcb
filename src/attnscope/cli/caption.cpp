// `attnscope caption --model CKPT IMAGE...`: prints the caption of a JPEG/PNG image (of several,
// or of a folder's: one "IMAGE<tab>caption" line each, decoded in batches, with progress). --png writes the
// per-word overlay strip (the image once per word, its attention overlaid, the word beneath),
// --gif/--mp4 the animation (words appear one by one, the overlay follows), --trace the attention trace,
// --html a standalone viewer. --beam K decodes with beam search (the pictures show the chosen
// hypothesis's own attention). --scene N (with --seed S) captions held-out built-in scene N
// instead of a file (the test pool `eval caption --builtin scenes --seed S` draws from). Adaptive models print the sentinel weight beta per word
// (1 = the word came from the language model, not the image).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/cli/output_names.h"
#include "attnscope/cli/trace_outputs.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/core/progress.h"
#include "attnscope/data/image.h"
#include "attnscope/data/scenes.h"
#include "attnscope/data/utf8.h"
#include "attnscope/models/caption/captioner.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/image_overlay.h"

namespace attnscope::cli {
namespace {

struct CaptionFlags {
  std::string model, png, gif, mp4, trace, html;
  std::vector<std::string> images;
  int64_t scene = -1, beam = 1;
  int panel = 240;
  uint64_t seed = 1;
};

// Several images: one "IMAGE<tab>caption" line each, as its batch is done. Images are decoded a
// batch at a time (a folder of photos never sits in memory at once); the first bad file stops
// the run with its one-line error.
void caption_many(models::Captioner& model, const std::vector<std::string>& paths, int64_t beam) {
  constexpr size_t kBatch = 32;
  Progress progress("caption", static_cast<int64_t>(paths.size()));
  for (size_t start = 0; start < paths.size(); start += kBatch) {
    const size_t end = std::min(paths.size(), start + kBatch);
    std::vector<data::Image> images;
    for (size_t i = start; i < end; ++i) images.push_back(data::read_image_file(paths[i]));
    std::vector<const data::Image*> ptrs;
    for (const auto& im : images) ptrs.push_back(&im);
    const auto captions = model.generate(ptrs, beam);
    for (size_t i = 0; i < captions.size(); ++i)
      std::printf("%s\t%s\n", paths[start + i].c_str(), models::caption_text(captions[i].words).c_str());
    std::fflush(stdout);
    progress.tick(static_cast<int64_t>(end - start));
  }
}

// The image files the arguments name: a folder stands for its .jpg/.jpeg/.png files, sorted.
std::vector<std::string> image_paths(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::error_code ec;
    if (!fs::is_directory(a, ec)) {
      out.push_back(a);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(a, ec)) {
      const std::string ext = data::ascii_lower(e.path().extension().string());
      if ((ext == ".jpg" || ext == ".jpeg" || ext == ".png") && e.is_regular_file(ec)) found.push_back(e.path().string());
    }
    if (ec) throw IoError("caption: cannot list folder '" + a + "': " + ec.message());
    if (found.empty()) throw IoError("caption: folder '" + a + "' holds no .jpg, .jpeg or .png image");
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

void run(const CaptionFlags& f) {
  // Before any work: the flags name their formats.
  std::vector<std::string> inputs = f.images;
  inputs.push_back(f.model);
  check_output_name(f.png, "--png", {".png"});
  check_not_an_input(f.png, inputs);
  TraceOutputs outputs;
  outputs.trace = f.trace, outputs.gif = f.gif, outputs.mp4 = f.mp4, outputs.html = f.html;
  check_trace_outputs(outputs, inputs);
  const bool pictures = !f.png.empty() || !f.gif.empty() || !f.mp4.empty() || !f.trace.empty() || !f.html.empty();
  for (const std::string* p : {&f.png, &f.gif, &f.mp4, &f.trace, &f.html})
    if (!p->empty()) check_output_path(*p, "caption output");
  if (f.images.empty() == (f.scene < 0)) throw ConfigError("caption: give either image files or --scene N");
  const std::vector<std::string> paths = image_paths(f.images);
  const bool many = paths.size() > 1 || paths != f.images;  // several, or a folder of them
  if (pictures && many) throw ConfigError("caption: --png/--gif/--mp4/--trace/--html take exactly one image");
  auto model = models::Captioner::load(f.model);
  if (many) return caption_many(*model, paths, f.beam);
  if ((!f.png.empty() || !f.gif.empty() || !f.mp4.empty()) && model->config().attention == "none")
    throw ConfigError("caption: this model ('" + model->model_type() + "') has no attention to draw");
  data::Scene scene;
  if (f.scene >= 0) scene = data::make_scene(data::ScenePool::test, f.seed, static_cast<uint64_t>(f.scene));
  const data::Image image = f.scene >= 0 ? scene.image : data::read_image_file(f.images.front());
  const io::Trace t = model->trace(image, f.beam);
  std::printf("%s\n", t.meta.at("caption").c_str());
  if (f.scene >= 0) std::printf("reference: %s\n", scene.caption().c_str());
  const io::TraceLayer* layer = t.find_layer("decoder.cross");
  if (layer) {
    const auto beta = layer->extras.find("sentinel_beta");
    if (beta != layer->extras.end()) {
      const auto& words = t.find_sequence("target")->tokens;
      std::string line = "beta:";
      for (size_t i = 0; i < words.size() && i < beta->second.values.size(); ++i) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " %s=%.2f", words[i].c_str(), beta->second.values[i]);
        line += buf;
      }
      std::printf("%s\n", line.c_str());
    }
  }
  if (!f.png.empty()) {
    viz::OverlayOptions opts;
    opts.panel = f.panel;
    viz::render_overlay(t, 0, 0, f.png, opts);
    std::fprintf(stderr, "wrote %s\n", f.png.c_str());
  }
  // The trace, the animation and the offline viewer: the outputs every trace-producing verb shares.
  TraceOutputs out;
  out.trace = f.trace;
  out.gif = f.gif;
  out.mp4 = f.mp4;
  out.html = f.html;
  out.layer = out.head = "0";
  write_trace_outputs(t, out);
}

void setup_caption(CLI::App& app) {
  auto* sub = app.add_subcommand("caption", "Caption an image with a trained captioner and show where each word looked");
  auto f = std::make_shared<CaptionFlags>();
  add_model_flag(sub, f->model);
  sub->add_option("image", f->images, "JPEG or PNG image(s), or folders of them; several print one IMAGE<tab>caption line each");
  sub->add_option("--scene", f->scene, "Caption built-in held-out scene N instead of an image file")->check(in_range(0, 1000000));
  add_seed_flag(sub, f->seed);
  sub->add_option("--beam", f->beam, "Beam search with K hypotheses (1: greedy); the overlays follow the chosen one")->check(CLI::Range(1, 64));
  sub->add_option("--png", f->png, "Write the per-word attention overlays as one PNG strip");
  sub->add_option("--panel", f->panel, "--png: pixels per panel side")->check(in_range(32, 1024));
  sub->add_option("--gif", f->gif, "Write the word-by-word animation (GIF)");
  sub->add_option("--mp4", f->mp4, "Write the word-by-word animation (MP4, through ffmpeg)");
  sub->add_option("--trace", f->trace, "Write the attention trace (NAME.attn.safetensors)");
  sub->add_option("--html", f->html, "Write a standalone offline viewer (HTML)");
  sub->callback([f] { run(*f); });
}

ATTNSCOPE_REGISTER_COMMAND(setup_caption);

}  // namespace
}  // namespace attnscope::cli
