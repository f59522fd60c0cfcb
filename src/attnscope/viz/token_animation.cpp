#include "attnscope/viz/token_animation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "attnscope/core/error.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/animation_output.h"
#include "attnscope/viz/cell_grid.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/viz/image_overlay.h"
#include "attnscope/viz/segments.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

namespace {
constexpr double kMargin = 16, kHeader = 52, kFooter = 46;
constexpr double kMinFont = 9, kMaxFont = 24, kMeasureFont = 10;
const Rgb kIdle{0.94, 0.94, 0.94};  // an unattended token's box

// Width of the band left of the text that holds a sentence pair's letters, at font size fs.
double segment_band(double fs) { return fs * 1.4; }

// Wraps boxes of the given widths (at font size 10, scaled to fs) into [x0, x1] from y0 on.
// Returns the bottom of the last line. Box heights fs * 1.5; lines `pitch` apart. With
// sentence-pair segments, each part starts a line after a band for its letter (as the viewer
// splits a pair).
double flow(std::vector<TokenAnimation::Box>& boxes, const std::vector<double>& w10, double fs, double x0, double x1,
            double y0, double pitch, const std::vector<int32_t>& segments) {
  if (!segments.empty()) x0 += segment_band(fs);
  const double gap = fs * 0.35, h = fs * 1.5, maxw = (x1 - x0) * 0.6;
  double x = x0, y = y0;
  boxes.resize(w10.size());
  for (size_t i = 0; i < w10.size(); ++i) {
    const double w = std::min(maxw, std::max(fs * 1.3, w10[i] * fs / kMeasureFont + fs * 0.7));
    const bool new_part = !segments.empty() && i > 0 && segments[i] != segments[i - 1];
    if (x > x0 && (x + w > x1 || new_part)) {
      x = x0;
      y += pitch;
    }
    boxes[i] = {x, y, w, h};
    x += w + gap;
  }
  return boxes.empty() ? y0 : y + h;
}

double smooth(double t) {
  t = std::clamp(t, 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

void rounded_box(cairo_t* cr, const TokenAnimation::Box& b, double r) {
  r = std::min(r, std::min(b.w, b.h) / 2);
  cairo_new_sub_path(cr);
  cairo_arc(cr, b.x + b.w - r, b.y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, b.x + b.w - r, b.y + b.h - r, r, 0, M_PI / 2);
  cairo_arc(cr, b.x + r, b.y + b.h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, b.x + r, b.y + r, r, M_PI, 1.5 * M_PI);
  cairo_close_path(cr);
}
}  // namespace

static const io::TraceLayer& checked_layer(const io::Trace& trace, int64_t layer) {
  ATTNSCOPE_CHECK(layer >= 0 && layer < static_cast<int64_t>(trace.layers.size()), ConfigError,
                  "layer " + std::to_string(layer) + " out of range (trace has " + std::to_string(trace.layers.size()) +
                      " layers)");
  return trace.layers[static_cast<size_t>(layer)];
}

void check_animation_options(const AnimationOptions& o) {
  (void)colormap(o.colormap);
  ATTNSCOPE_CHECK(o.width >= 160 && o.height >= 120 && o.width <= 7680 && o.height <= 4320, ConfigError,
                  "animation size " + std::to_string(o.width) + "x" + std::to_string(o.height) +
                      " outside 160x120..7680x4320");
  ATTNSCOPE_CHECK(o.fps > 0 && o.fps <= 120 && std::isfinite(o.fps), ConfigError, "animation frame rate (fps) must be in (0, 120]");
  ATTNSCOPE_CHECK(o.seconds_per_token > 0 && o.seconds_per_token <= 600, ConfigError,
                  "seconds per token must be in (0, 600]");
  ATTNSCOPE_CHECK(o.hold >= 0 && o.hold <= 600, ConfigError, "animation hold must be in [0, 600] seconds");
  ATTNSCOPE_CHECK(o.min_relative >= 0 && o.min_relative <= 1 && o.max_arcs >= 0, ConfigError,
                  "arc threshold must be in [0, 1]");
}

TokenAnimation::TokenAnimation(const io::Trace& trace, int64_t layer, int64_t head, AnimationOptions opts)
    : trace_(trace), layer_(checked_layer(trace, layer)),
      head_(head), o_(std::move(opts)) {
  check_animation_options(o_);
  check_color_scale(o_.scale);
  {  // the length first: nothing is computed for an animation that will be refused
    const double steps = trace_.steps.empty() ? double(layer_.queries) : double(trace_.steps.size());
    const double frames = std::max(1.0, std::round(steps * o_.seconds_per_token * o_.fps));
    char why[128];
    std::snprintf(why, sizeof why, "%.0f tokens \u00D7 %g s \u00D7 %g fps", steps, o_.seconds_per_token, o_.fps);
    check_animation_length(frames, frames / o_.fps + o_.hold, why);
  }
  io::validate_layer(trace_, layer_);
  map_ = focus::head_map(layer_, head_);
  qtok_ = focus::query_labels(trace_, layer_);
  ktok_ = focus::key_labels(trace_, layer_);
  qseg_ = segments_of(trace_, layer_.query_seq, layer_.queries);
  kseg_ = segments_of(trace_, layer_.key_seq, layer_.keys);
  for (auto& t : qtok_) t = display_token(t);
  for (auto& t : ktok_) t = display_token(t);
  std::tie(gh_, gw_) = image_grid(trace_, layer_);
  if (gh_ > 0) {
    mode_ = Mode::image;
    image_ = load_trace_image(trace_, o_.image_dir);
  } else if (layer_.query_seq == layer_.key_seq && map_.rows == map_.cols) {
    mode_ = Mode::self;
  } else {
    mode_ = Mode::cross;
  }
  causal_ = mode_ == Mode::self;
  for (int64_t q = 0; causal_ && q < map_.rows; ++q)
    for (int64_t k = q + 1; k < map_.cols; ++k)
      if (map_.at(q, k) != 0.0f) {
        causal_ = false;
        break;
      }
  // Generation order from the trace when given, else query order.
  if (!trace_.steps.empty()) {
    for (int64_t s : trace_.steps) {
      ATTNSCOPE_CHECK(s >= 0 && s < map_.rows, ShapeError,
                      "trace step " + std::to_string(s) + " is not a query of layer '" + layer_.name + "'");
      order_.push_back(s);
    }
  } else {
    for (int64_t q = 0; q < map_.rows; ++q) order_.push_back(q);
  }
  title_ = heatmap_title(trace_, layer_, head_);
  layout();
}

TokenAnimation::~TokenAnimation() = default;

void TokenAnimation::layout() {
  ScratchContext sc;
  auto widths = [&](const std::vector<std::string>& toks) {
    std::vector<double> w;
    // Bold: the current token is drawn bold in the same box.
    for (const auto& t : toks) w.push_back(measure_text(sc.get(), t, Font{kMeasureFont, true}).w);
    return w;
  };
  const double x0 = kMargin, x1 = o_.width - kMargin, top = kHeader, bottom = o_.height - kFooter;
  const std::vector<double> kw = widths(ktok_), qw = mode_ == Mode::self ? kw : widths(qtok_);
  // The largest font at which everything fits; past the smallest, the text scrolls.
  for (font_ = kMaxFont; font_ >= kMinFont; font_ -= 1) {
    bool fits = false;
    if (mode_ == Mode::self) {
      pitch_ = font_ * 1.5 + font_ * 2.0;  // room for arcs above each line
      fits = flow(kbox_, kw, font_, x0, x1, top + font_ * 2.0, pitch_, kseg_) <= bottom;
    } else if (mode_ == Mode::cross) {
      pitch_ = font_ * 1.5 + font_ * 0.5;
      const double mid = top + (bottom - top) * 0.42;
      const bool src = flow(kbox_, kw, font_, x0, x1, top, pitch_, kseg_) <= mid;
      const bool tgt = flow(qbox_, qw, font_, x0, x1, mid + (bottom - top) * 0.16, pitch_, qseg_) <= bottom;
      fits = src && tgt;
    } else {
      pitch_ = font_ * 1.5 + font_ * 0.5;
      fits = flow(qbox_, qw, font_, x0, x1, bottom - (bottom - top) * 0.25, pitch_, qseg_) <= bottom;
    }
    if (fits) break;
  }
  font_ = std::max(font_, kMinFont);
  if (mode_ == Mode::self) qbox_ = kbox_;
  // How far the self/cross text may need to scroll to keep the current token in view.
  const std::vector<Box>& q = qbox_;
  scroll_max_ = q.empty() ? 0 : std::max(0.0, q.back().y + q.back().h - bottom);
}

int64_t TokenAnimation::frame_count() const {
  return std::max<int64_t>(1, std::llround(double(steps()) * o_.seconds_per_token * o_.fps));
}
double TokenAnimation::frame_position(int64_t i) const { return double(i) / (o_.fps * o_.seconds_per_token); }
double TokenAnimation::frame_seconds(int64_t i) const {
  return 1.0 / o_.fps + (i + 1 == frame_count() ? o_.hold : 0.0);
}
double TokenAnimation::duration() const { return double(frame_count()) / o_.fps + o_.hold; }

TokenAnimation::Box TokenAnimation::key_box(int64_t k) const { return kbox_[static_cast<size_t>(k)]; }
TokenAnimation::Box TokenAnimation::query_box(int64_t q) const { return qbox_[static_cast<size_t>(q)]; }

void TokenAnimation::draw(cairo_t* cr, double position) const {
  const int64_t s = std::clamp<int64_t>(static_cast<int64_t>(std::floor(position)), 0, steps() - 1);
  // Arcs grow in over the first 40% of a step; one frame per token shows them whole.
  const double f = position - double(s), frame = 1.0 / (o_.fps * o_.seconds_per_token);
  const double grow = smooth((f + frame) / 0.4);
  set_source(cr, kInk);
  draw_text(cr, title_, kMargin, 14, Font{15, true}, Align::start, Align::start, o_.width * 0.7);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld / %lld", static_cast<long long>(s + 1), static_cast<long long>(steps()));
  set_source(cr, kFaint);
  draw_text(cr, buf, o_.width - kMargin, 16, Font{13}, Align::end);
  if (mode_ == Mode::image) draw_image(cr, s, grow);
  else draw_self_or_cross(cr, s, grow);
}

void TokenAnimation::draw_footer(cairo_t* cr, int64_t step, const ColorScale& scale) const {
  const Colormap& cmap = colormap(o_.colormap);
  const double y = o_.height - kFooter + 16, bw = 150, bh = 10;
  for (int i = 0; i < 150; ++i) {  // horizontal colour bar, one column per px
    set_source(cr, to_rgb(cmap.rgb8((i + 0.5) / bw)));
    cairo_rectangle(cr, kMargin + i, y, 1, bh);
    cairo_fill(cr);
  }
  const std::string cur = "current: " + qtok_[static_cast<size_t>(order_[static_cast<size_t>(step)])];
  set_source(cr, kHighlight);
  const double cur_w = draw_text(cr, cur, o_.width - kMargin, y + bh / 2, Font{12, true}, Align::end, Align::center,
                                 o_.width * 0.45).w;
  char buf[96];
  const char* top = o_.scale.vmax > 0 ? "" : "row top ";
  if (scale.curve() == ScaleCurve::sqrt)
    std::snprintf(buf, sizeof buf, "\u221A(weight \u00F7 %s%.3f)", top, static_cast<double>(scale.top()));
  else
    std::snprintf(buf, sizeof buf, "weight \u00F7 %s%.3f", top, static_cast<double>(scale.top()));
  const double room = o_.width - 2 * kMargin - bw - 8 - cur_w - 12;
  set_source(cr, kFaint);
  if (room > 30) draw_text(cr, buf, kMargin + bw + 8, y + bh / 2, Font{11}, Align::start, Align::center, room);
}

void TokenAnimation::draw_self_or_cross(cairo_t* cr, int64_t step, double grow) const {
  const Colormap& cmap = colormap(o_.colormap);
  const int64_t q = order_[static_cast<size_t>(step)];
  const float* row = map_.w.data() + q * map_.cols;
  const ColorScale scale = ColorScale::fit(o_.scale, std::span<const float>(row, static_cast<size_t>(map_.cols)));
  const float rmax = scale.top();
  // Scroll so the current query's line stays in view.
  const Box& qb = qbox_[static_cast<size_t>(q)];
  const double bottom = o_.height - kFooter;
  const double dy = std::clamp(qb.y + qb.h - (bottom - 4), 0.0, scroll_max_);
  auto shifted = [&](Box b) {
    b.y -= dy;
    return b;
  };
  cairo_save(cr);
  cairo_rectangle(cr, 0, kHeader - 6, o_.width, bottom - kHeader + 6);
  cairo_clip(cr);
  std::vector<char> shown_q(static_cast<size_t>(map_.rows), 0);
  for (int64_t s = 0; s <= step; ++s) shown_q[static_cast<size_t>(order_[static_cast<size_t>(s)])] = 1;
  auto key_visible = [&](int64_t k) {
    if (mode_ == Mode::cross) return true;
    return !causal_ || shown_q[static_cast<size_t>(k)] || k <= q;
  };
  // Arcs: the strongest first chosen, drawn weakest first so strong ones lie on top.
  std::vector<int64_t> arcs;
  for (int64_t k = 0; k < map_.cols; ++k)
    if (key_visible(k) && !(mode_ == Mode::self && k == q) && row[k] / rmax >= o_.min_relative && row[k] > 0)
      arcs.push_back(k);
  std::sort(arcs.begin(), arcs.end(), [&](int64_t a, int64_t b) { return row[a] > row[b]; });
  if (static_cast<int64_t>(arcs.size()) > o_.max_arcs) arcs.resize(static_cast<size_t>(o_.max_arcs));
  std::reverse(arcs.begin(), arcs.end());
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  const Box from = shifted(qb);
  for (int64_t k : arcs) {
    const double t = scale.t(row[k]);
    const Box to = shifted(kbox_[static_cast<size_t>(k)]);
    set_source(cr, to_rgb(cmap.rgb8(t)));
    cairo_set_line_width(cr, (1.0 + 7.0 * t) * grow);
    const double x0 = from.x + from.w / 2, x1 = to.x + to.w / 2;
    if (mode_ == Mode::self) {
      // An arc over the text: rises with the horizontal distance, at most the line gap.
      const double y0 = from.y, y1 = to.y;
      const double lift = std::min(font_ * 1.9, 10 + 0.25 * std::fabs(x1 - x0)) + std::max(0.0, y0 - y1) * 0.15;
      const double cy = std::min(y0, y1) - lift;
      cairo_move_to(cr, x0, y0);
      cairo_curve_to(cr, x0, cy, x1, cy, x1, y1);
    } else {
      const double y0 = from.y, y1 = to.y + to.h, my = (y0 + y1) / 2;
      cairo_move_to(cr, x0, y0);
      cairo_curve_to(cr, x0, my, x1, my, x1, y1);
    }
    if (grow > 0) cairo_stroke(cr);
    else cairo_new_path(cr);
  }
  // Token boxes.
  auto draw_box = [&](const Box& b0, const std::string& text, Rgb fill, Rgb ink, bool current) {
    const Box b = shifted(b0);
    if (b.y + b.h < kHeader - 6 || b.y > bottom) return;  // scrolled out of view
    rounded_box(cr, b, font_ * 0.3);
    set_source(cr, fill);
    cairo_fill_preserve(cr);
    if (current) {
      set_source(cr, kHighlight);
      cairo_set_line_width(cr, 3);
      cairo_stroke(cr);
    } else {
      cairo_new_path(cr);
    }
    set_source(cr, ink);
    draw_text(cr, text, b.x + b.w / 2, b.y + b.h / 2, Font{font_, current}, Align::center, Align::center,
              b.w - font_ * 0.4);
  };
  for (int64_t k = 0; k < map_.cols; ++k) {
    if (!key_visible(k)) continue;
    const bool hot = row[k] > 0 && row[k] / rmax >= o_.min_relative;
    const Rgb8 c = cmap.rgb8(scale.t(row[k]));
    draw_box(kbox_[static_cast<size_t>(k)], ktok_[static_cast<size_t>(k)], hot ? to_rgb(c) : kIdle,
             hot ? text_on(c) : kInk, mode_ == Mode::self && k == q);
  }
  if (mode_ == Mode::cross) {
    for (int64_t j = 0; j < map_.rows; ++j)
      if (shown_q[static_cast<size_t>(j)])
        draw_box(qbox_[static_cast<size_t>(j)], qtok_[static_cast<size_t>(j)], kIdle, kInk, j == q);
  }
  // Sentence pairs: each part's letter in the band left of its first line.
  auto letters = [&](const std::vector<int32_t>& segs, const std::vector<Box>& boxes) {
    set_source(cr, kSegmentInk);
    for (int64_t i : segment_starts(segs)) {
      if (i >= static_cast<int64_t>(boxes.size())) break;
      const Box b = shifted(boxes[static_cast<size_t>(i)]);
      draw_text(cr, segment_name(segs[static_cast<size_t>(i)]), b.x - segment_band(font_) / 2, b.y + b.h / 2,
                Font{font_, true}, Align::center, Align::center);
    }
  };
  if (mode_ != Mode::image) letters(kseg_, kbox_);
  if (mode_ != Mode::self) letters(qseg_, qbox_);  // self: the same boxes as the keys
  cairo_restore(cr);
  draw_footer(cr, step, scale);
}

void TokenAnimation::draw_image(cairo_t* cr, int64_t step, double grow) const {
  const Colormap& cmap = colormap(o_.colormap);
  const int64_t q = order_[static_cast<size_t>(step)];
  const float* row = map_.w.data() + q * map_.cols;
  const ColorScale scale = ColorScale::fit(o_.scale, std::span<const float>(row, static_cast<size_t>(map_.cols)));
  const double top = kHeader, bottom = o_.height - kFooter;
  double x = kMargin, y = top, w = o_.width - 2 * kMargin, h = (bottom - top) * 0.72;
  // The overlay fades in with the step like the arcs do.
  std::vector<float> faded(row, row + map_.cols);
  for (float& v : faded) v = static_cast<float>(v * grow);
  draw_overlay(cr, x, y, w, h, image_, faded.data(), gh_, gw_, scale, cmap);
  for (int64_t s = 0; s <= step; ++s) {
    const int64_t j = order_[static_cast<size_t>(s)];
    const Box& b = qbox_[static_cast<size_t>(j)];
    rounded_box(cr, b, font_ * 0.3);
    set_source(cr, kIdle);
    cairo_fill_preserve(cr);
    if (j == q) {
      set_source(cr, kHighlight);
      cairo_set_line_width(cr, 3);
      cairo_stroke(cr);
    } else {
      cairo_new_path(cr);
    }
    set_source(cr, kInk);
    draw_text(cr, qtok_[static_cast<size_t>(j)], b.x + b.w / 2, b.y + b.h / 2, Font{font_, j == q}, Align::center,
              Align::center, b.w - font_ * 0.4);
  }
  draw_footer(cr, step, scale);
}

void TokenAnimation::render(FrameSink& sink, bool quiet) const {
  Frame frame(o_.width, o_.height);
  const int64_t n = frame_count();
  Progress progress("animate", n, quiet);
  for (int64_t i = 0; i < n; ++i) {
    frame.paint([&](cairo_t* cr) { draw(cr, frame_position(i)); });
    sink.add(frame, frame_seconds(i));
    progress.tick();
  }
  progress.finish();
  sink.finish();
}

}  // namespace attnscope::viz
