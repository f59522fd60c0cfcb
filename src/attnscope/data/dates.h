// The built-in translation task: date normalization. Human-readable dates in many formats and a
// few languages ("sat 3 april 1999", "03/04/99", "april 3rd, 1999", "3 avril 1999",
// "1999年4月3日") -> ISO "1999-04-03", generated from a seed. Each example carries the gold
// alignment of every output character to the source tokens that determine it (the tokens of
// the year, month or day field it comes from), so attention-as-alignment can be scored.
// Numeric dates are day-first (03/04/99 is 3 April); two-digit years are 1950-2049.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/core/rng.h"

namespace attnscope::data {

struct DateExample {
  std::string text;                        // the human-readable date
  std::vector<std::string> source;         // its tokens (see tokenize_date_text)
  std::vector<std::string> target;         // ISO characters: "1","9","9","9","-","0","4",...
  std::vector<std::vector<int>> gold;      // per target position: gold source indices ("-": none)
  int year = 0, month = 0, day = 0;
};

// The formats the generator writes, each named by its example for 1999-04-03 (Saturday).
enum class DateFormat : int {
  en_weekday_short,  // sat 3 april 1999
  en_weekday_long,   // saturday, april 3, 1999
  en_month_ordinal,  // April 3rd, 1999
  en_month_short,    // 3 apr 1999
  dmy_slash_yy,      // 03/04/99 (years 1950-2049)
  dmy_dot_yy,        // 3.4.99 (years 1950-2049)
  dmy_slash,         // 03/04/1999
  fr,                // 3 avril 1999
  fr_weekday,        // samedi 3 avril 1999
  de,                // 3. April 1999
  es,                // 3 de abril de 1999
  cjk,               // 1999年4月3日
  ymd_slash,         // 1999/04/03
  en_ordinal_of,     // 3rd of april 1999
  en_month_first,    // april 3 1999
  ymd_dash,          // 1999-4-3
};
inline constexpr int kDateFormats = 16;

// One random date (1900-01-01 .. 2099-12-31) in a random format.
DateExample random_date(Rng& rng);
// A given date in a given format: what random_date writes when it draws them, so a text built
// here (the demo's examples and suggestions) is always in the training distribution. ValueError
// for a date that does not exist or a two-digit year outside 1950-2049.
DateExample date_in_format(int year, int month, int day, DateFormat format);
// n examples from a seed; deterministic.
std::vector<DateExample> date_dataset(int64_t n, uint64_t seed);
// Splits date text into model tokens: runs of letters (lower-cased) are one token, every digit,
// punctuation mark and CJK character is its own token, spaces separate. Works on any input, so a
// user's own text can be translated by a trained date model.
std::vector<std::string> tokenize_date_text(const std::string& text);
// Day of week (0 = Monday) of a proleptic Gregorian date.
int day_of_week(int year, int month, int day);
int days_in_month(int year, int month);

}  // namespace attnscope::data
