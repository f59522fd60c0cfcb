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

// One random date (1900-01-01 .. 2099-12-31) in a random format.
DateExample random_date(Rng& rng);
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
