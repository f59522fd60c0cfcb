#include "attnscope/viz/text.h"

#include <pango/pangocairo.h>

#include <cmath>
#include <memory>

// fontconfig (under Pango) keeps its pattern caches for the whole process, and LeakSanitizer
// reports them as leaks of libfontconfig (its stacks end there). They are not ours and not
// growing, so sanitizer builds suppress exactly that library. This file is linked whenever text
// is drawn, so every binary that draws gets the suppression.
#if defined(__SANITIZE_ADDRESS__)
#define ATTNSCOPE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ATTNSCOPE_LSAN 1
#endif
#endif
#ifdef ATTNSCOPE_LSAN
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
// Without this LSan prints a "Suppressions used" table at exit, which breaks the one-line
// error contract of the CLI under sanitizers.
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
#endif

namespace attnscope::viz {

namespace {

// DejaVu first (installed everywhere we build), then fontconfig's choice for whatever it lacks.
PangoFontDescription* font_desc(const Font& font) {
  PangoFontDescription* d = pango_font_description_from_string(font.mono ? "DejaVu Sans Mono" : "DejaVu Sans, sans-serif");
  pango_font_description_set_absolute_size(d, font.size * PANGO_SCALE);
  pango_font_description_set_weight(d, font.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  return d;
}

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, LayoutDeleter>;

LayoutPtr make_layout(cairo_t* cr, const std::string& text, const Font& font, double max_width) {
  LayoutPtr layout(pango_cairo_create_layout(cr));
  PangoFontDescription* d = font_desc(font);
  pango_layout_set_font_description(layout.get(), d);
  pango_font_description_free(d);
  // Validate here too: Pango asserts on invalid UTF-8.
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  pango_layout_set_text(layout.get(), valid, -1);
  g_free(valid);
  pango_layout_set_single_paragraph_mode(layout.get(), TRUE);
  // Each label takes its base direction from its own first strong character (a Hebrew token
  // reads right to left, "abc שלום" left to right). Pango then aligns an RTL line to the right
  // of the layout's width; box() measures where the line actually is, so callers place every
  // label by its own ink box whatever its direction.
  pango_layout_set_auto_dir(layout.get(), TRUE);
  pango_layout_set_alignment(layout.get(), PANGO_ALIGN_LEFT);
  if (max_width > 0) {
    pango_layout_set_width(layout.get(), static_cast<int>(max_width * PANGO_SCALE));
    pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_MIDDLE);
  }
  return layout;
}

// The logical extents of the laid-out line, relative to the layout's origin: x is not 0 when
// the line is aligned inside a set width (right-to-left text with max_width).
PangoRectangle box(PangoLayout* layout) {
  PangoRectangle logical{};
  pango_layout_get_pixel_extents(layout, nullptr, &logical);
  return logical;
}

TextSize size_of(const PangoRectangle& r) { return {static_cast<double>(r.width), static_cast<double>(r.height)}; }

double offset(Align a, double extent) {
  return a == Align::start ? 0 : a == Align::center ? -extent / 2 : -extent;
}

}  // namespace

ScratchContext::ScratchContext()
    : surface_(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)), cr_(cairo_create(surface_)) {}
ScratchContext::~ScratchContext() {
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
}

std::string display_token(std::string_view raw) {
  if (raw.empty()) return "\u2205";
  gchar* valid = g_utf8_make_valid(raw.data(), static_cast<gssize>(raw.size()));
  std::string in(valid);
  g_free(valid);
  // BPE / SentencePiece word-start markers: Ġ (U+0120) and ▁ (U+2581) mean a leading space.
  for (std::string_view marker : {std::string_view("\xC4\xA0"), std::string_view("\xE2\x96\x81")})
    if (in.rfind(marker, 0) == 0) {
      in = " " + in.substr(marker.size());
      break;
    }
  // Every space is shown as "·", so a word start stays visible ("·c le ver" is one word).
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '\n') out += "\u21B5";
    else if (c == '\t') out += "\u2192";
    else if (c == ' ' || c < 0x20 || c == 0x7F) out += "\u00B7";
    else out += static_cast<char>(c);
  }
  return out;
}

TextSize measure_text(cairo_t* cr, const std::string& text, const Font& font, double max_width) {
  LayoutPtr layout = make_layout(cr, text, font, max_width);
  return size_of(box(layout.get()));
}

TextSize draw_text(cairo_t* cr, const std::string& text, double x, double y, const Font& font, Align ha,
                   Align va, double max_width, double angle_deg) {
  LayoutPtr layout = make_layout(cr, text, font, max_width);
  const PangoRectangle r = box(layout.get());
  const TextSize s = size_of(r);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  if (angle_deg != 0) cairo_rotate(cr, angle_deg * M_PI / 180.0);
  cairo_move_to(cr, offset(ha, s.w) - r.x, offset(va, s.h) - r.y);
  pango_cairo_show_layout(cr, layout.get());
  cairo_restore(cr);
  return s;
}

}  // namespace attnscope::viz
