// The token-by-token animation (the seed's picture): tokens appear one by one, the current one
// is outlined, arcs run from it to the tokens it attends to — width and colour by weight (each
// row on its own colour scale, viz/color_scale.h, so every frame uses the whole colour map) —
// and the attended tokens are shaded. Three layouts, chosen from the layer:
//   self     query and key sequence are the same: wrapped text, arcs above the lines;
//   cross    encoder-decoder: source words on top, the output written word by word below,
//            lines from the current output word to the source words;
//   image    keys are an image grid: the overlay moves over the image per generated word.
// The picture is a function of a continuous position p (step floor(p), and within a step the
// arcs grow in), so any frame rate gives smooth, exact timing.
#pragma once
#include <cairo.h>

#include <string>
#include <vector>

#include "attnscope/core/progress.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/io/trace.h"
#include "attnscope/viz/color_scale.h"
#include "attnscope/viz/frame.h"
#include "attnscope/viz/frame_sink.h"

namespace attnscope::viz {

struct AnimationOptions {
  int width = 800, height = 600;
  double fps = 10;                // frames per second
  double seconds_per_token = 0.5; // time each token stays current
  double hold = 2.0;              // extra seconds on the last frame
  std::string colormap = "viridis";
  ColorScaleSpec scale;           // per frame (row): its own automatic top unless vmax is given
  float min_relative = 0.05f;     // arcs for weights >= this fraction of the row max
  int max_arcs = 32;              // strongest arcs per frame
  std::string image_dir;          // base for a relative trace image path
};

// Checks sizes, rates and durations; ConfigError naming the bad option.
void check_animation_options(const AnimationOptions& o);

class TokenAnimation {
 public:
  TokenAnimation(const io::Trace& trace, int64_t layer, int64_t head, AnimationOptions opts);
  ~TokenAnimation();
  TokenAnimation(const TokenAnimation&) = delete;
  TokenAnimation& operator=(const TokenAnimation&) = delete;

  enum class Mode { self, cross, image };
  Mode mode() const { return mode_; }
  int64_t steps() const { return static_cast<int64_t>(order_.size()); }
  // Frames: round(steps * seconds_per_token * fps), at least 1; frame i shows position
  // i / (fps * seconds_per_token) for 1/fps seconds, the last one `hold` seconds longer.
  int64_t frame_count() const;
  double frame_position(int64_t i) const;
  double frame_seconds(int64_t i) const;
  // Total duration in seconds (frames + hold).
  double duration() const;

  void draw(cairo_t* cr, double position) const;
  // Renders every frame into the sink (and finishes it).
  void render(FrameSink& sink, bool quiet = true) const;

  // Where token i of the query (self/cross) or key side sits in the picture, for tests.
  struct Box {
    double x = 0, y = 0, w = 0, h = 0;
  };
  Box key_box(int64_t k) const;
  Box query_box(int64_t q) const;

 private:
  void layout();
  void draw_self_or_cross(cairo_t* cr, int64_t step, double grow) const;
  void draw_image(cairo_t* cr, int64_t step, double grow) const;
  void draw_footer(cairo_t* cr, int64_t step, const ColorScale& scale) const;

  const io::Trace& trace_;
  const io::TraceLayer& layer_;
  int64_t head_;
  AnimationOptions o_;
  Mode mode_ = Mode::self;
  bool causal_ = false;
  focus::AttentionMap map_;  // [Q, N]
  std::vector<int64_t> order_;  // step -> query index
  std::vector<std::string> qtok_, ktok_;
  std::vector<Box> kbox_, qbox_;
  std::vector<int32_t> kseg_, qseg_;  // sentence-pair segments of keys / queries (empty: none)
  double font_ = 16, pitch_ = 0, scroll_max_ = 0;
  Frame image_;
  int64_t gh_ = 0, gw_ = 0;
  std::string title_;
};

}  // namespace attnscope::viz
