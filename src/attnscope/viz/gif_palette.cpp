#include "attnscope/viz/gif_palette.h"

#include <algorithm>
#include <cmath>

#include "attnscope/viz/color.h"

namespace attnscope::viz {

namespace {
Rgb8 to8(Rgb c) {
  return {static_cast<uint8_t>(std::lround(c.r * 255)), static_cast<uint8_t>(std::lround(c.g * 255)),
          static_cast<uint8_t>(std::lround(c.b * 255))};
}

// The fixed part: `map_n` colour-map entries spread over the table, `greys` greys, UI and heads.
std::vector<Rgb8> fixed_part(const Colormap& cmap, int map_n, int greys) {
  std::vector<Rgb8> out;
  for (int i = 0; i < map_n; ++i) out.push_back(cmap.entry8(static_cast<int>(std::lround(i * 255.0 / (map_n - 1)))));
  for (int i = 0; i < greys; ++i) {
    const auto v = static_cast<uint8_t>(std::lround(i * 255.0 / (greys - 1)));
    out.push_back({v, v, v});
  }
  for (Rgb c : {kInk, kFaint, kHighlight, Rgb{0.94, 0.94, 0.94}}) out.push_back(to8(c));
  for (int h = 0; h < 10; ++h) out.push_back(head_color8(h));
  return out;
}

void dedupe(std::vector<Rgb8>& v) {
  std::vector<Rgb8> out;
  for (const Rgb8& c : v)
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  v = std::move(out);
}
}  // namespace

GifPalette drawing_palette(const Colormap& cmap) {
  GifPalette p;
  p.colors = fixed_part(cmap, 192, 49);  // 192 + 49 + 4 + 10 = 255
  dedupe(p.colors);
  return p;
}

GifPalette photo_palette(const Colormap& cmap, const std::vector<const Frame*>& samples) {
  GifPalette p;
  p.colors = fixed_part(cmap, 64, 17);
  dedupe(p.colors);
  // Median cut over a subsample of the frames' pixels.
  std::vector<Rgb8> px;
  for (const Frame* f : samples)
    for (size_t i = 0; i < f->px.size(); i += 7) px.push_back({Frame::r(f->px[i]), Frame::g(f->px[i]), Frame::b(f->px[i])});
  const size_t want = 255 - p.colors.size();
  struct Box {
    size_t lo, hi;
  };
  std::vector<Box> boxes;
  if (!px.empty()) boxes.push_back({0, px.size()});
  auto channel = [](const Rgb8& c, int ch) { return ch == 0 ? c.r : ch == 1 ? c.g : c.b; };
  while (boxes.size() < want) {
    // Split the box with the widest channel range (times its population) at its median.
    size_t best = boxes.size();
    int best_ch = 0;
    double best_score = 0;
    for (size_t b = 0; b < boxes.size(); ++b) {
      if (boxes[b].hi - boxes[b].lo < 2) continue;
      for (int ch = 0; ch < 3; ++ch) {
        uint8_t mn = 255, mx = 0;
        for (size_t i = boxes[b].lo; i < boxes[b].hi; ++i) {
          mn = std::min(mn, channel(px[i], ch));
          mx = std::max(mx, channel(px[i], ch));
        }
        const double score = double(mx - mn) * std::sqrt(double(boxes[b].hi - boxes[b].lo));
        if (score > best_score) best_score = score, best = b, best_ch = ch;
      }
    }
    if (best == boxes.size()) break;
    Box bx = boxes[best];
    const size_t mid = (bx.lo + bx.hi) / 2;
    std::nth_element(px.begin() + static_cast<std::ptrdiff_t>(bx.lo), px.begin() + static_cast<std::ptrdiff_t>(mid),
                     px.begin() + static_cast<std::ptrdiff_t>(bx.hi),
                     [&](const Rgb8& a, const Rgb8& b) { return channel(a, best_ch) < channel(b, best_ch); });
    boxes[best] = {bx.lo, mid};
    boxes.push_back({mid, bx.hi});
  }
  for (const Box& b : boxes) {
    double s[3] = {0, 0, 0};
    for (size_t i = b.lo; i < b.hi; ++i)
      for (int ch = 0; ch < 3; ++ch) s[ch] += channel(px[i], ch);
    const double n = double(b.hi - b.lo);
    p.colors.push_back({static_cast<uint8_t>(std::lround(s[0] / n)), static_cast<uint8_t>(std::lround(s[1] / n)),
                        static_cast<uint8_t>(std::lround(s[2] / n))});
  }
  dedupe(p.colors);
  if (p.colors.size() > 255) p.colors.resize(255);
  return p;
}

Quantizer::Quantizer(const GifPalette& p) : p_(p), lut_(size_t{1} << 24), known_((size_t{1} << 24) / 64, 0) {}

void Quantizer::fill(uint32_t c) {
  const int r = int(c >> 16 & 255), g = int(c >> 8 & 255), b = int(c & 255);
  int best = 0;
  long best_d = -1;
  for (size_t i = 0; i < p_.colors.size(); ++i) {
    const long dr = r - p_.colors[i].r, dg = g - p_.colors[i].g, db = b - p_.colors[i].b;
    const long d = 3 * dr * dr + 4 * dg * dg + 2 * db * db;  // eye is most sensitive to green
    if (best_d < 0 || d < best_d) best_d = d, best = static_cast<int>(i);
  }
  lut_[c] = static_cast<uint8_t>(best);
  known_[c >> 6] |= uint64_t{1} << (c & 63);
}

}  // namespace attnscope::viz
