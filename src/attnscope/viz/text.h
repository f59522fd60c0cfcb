// Text through Pango: any Unicode (accents, CJK, emoji) shaped and drawn with fontconfig's
// fallback fonts; a code point no installed font covers is drawn as Pango's hex box, never
// dropped or crashed on. Tokens are first made displayable (valid UTF-8, visible whitespace).
#pragma once
#include <cairo.h>

#include <string>
#include <string_view>

namespace attnscope::viz {

struct Font {
  double size = 11;  // pixels (device units)
  bool bold = false;
  bool mono = false;
};

enum class Align { start, center, end };

// A 1x1 scratch context for measuring text before a picture's size is known.
class ScratchContext {
 public:
  ScratchContext();
  ~ScratchContext();
  ScratchContext(const ScratchContext&) = delete;
  ScratchContext& operator=(const ScratchContext&) = delete;
  cairo_t* get() const { return cr_; }

 private:
  cairo_surface_t* surface_;
  cairo_t* cr_;
};

struct TextSize {
  double w = 0, h = 0;
};

// A token as it should appear, the one convention of every view (web/util/format.js tokenLabel
// is its twin; tests/data/token_labels.json holds the table both are tested against): invalid
// UTF-8 replaced by U+FFFD; a leading BPE/SentencePiece marker (Ġ, ▁) read as a space; every
// space shown as "·" (a word start stays visible: "·c le ver"); newline as "↵", tab as "→",
// other control characters as "·"; empty as "∅".
std::string display_token(std::string_view raw);

// Size of `text` laid out in one line; max_width > 0 ellipsizes in the middle past that width.
TextSize measure_text(cairo_t* cr, const std::string& text, const Font& font, double max_width = -1);

// Draws `text` in the current source colour, anchored at (x, y) by the alignments (start = left
// or top), rotated by angle_deg about the anchor (-90: reads bottom to top). Returns its size.
TextSize draw_text(cairo_t* cr, const std::string& text, double x, double y, const Font& font,
                   Align ha = Align::start, Align va = Align::start, double max_width = -1,
                   double angle_deg = 0);

}  // namespace attnscope::viz
