#include "attnscope/data/dates.h"

#include <cctype>
#include <cstdio>

#include "attnscope/core/error.h"
#include "attnscope/data/utf8.h"

namespace attnscope::data {
namespace {

// Month and weekday names per language; index 0 = January / Monday.
const char* const kMonthsEn[] = {"january", "february", "march",     "april",   "may",      "june",
                                 "july",    "august",   "september", "october", "november", "december"};
const char* const kMonthsEnShort[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                      "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const kMonthsFr[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                 "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
const char* const kMonthsDe[] = {"januar", "februar", "märz",      "april",   "mai",      "juni",
                                 "juli",   "august",  "september", "oktober", "november", "dezember"};
const char* const kMonthsEs[] = {"enero", "febrero", "marzo",      "abril",   "mayo",      "junio",
                                 "julio", "agosto",  "septiembre", "octubre", "noviembre", "diciembre"};
const char* const kDaysEn[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
const char* const kDaysEnShort[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
const char* const kDaysFr[] = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"};

// A source text under construction, remembering which tokens belong to which field.
struct Builder {
  std::string text;
  std::vector<std::string> tokens;
  std::vector<int> field;  // per token: 0 other, 1 year, 2 month, 3 day
  void add(const std::string& piece, int f) {
    for (const auto& t : tokenize_date_text(piece)) {
      tokens.push_back(t);
      field.push_back(f);
    }
    text += piece;
  }
};

std::string two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

std::string ordinal_suffix(int d) {
  if (d % 100 >= 11 && d % 100 <= 13) return "th";
  switch (d % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
  }
}

bool two_digit_year_ok(int y) { return y >= 1950 && y <= 2049; }

}  // namespace

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

int day_of_week(int y, int m, int d) {
  // Days from civil (Howard Hinnant's algorithm); 1970-01-01 was a Thursday (3).
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long days = static_cast<long>(era) * 146097 + doe - 719468;
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

std::vector<std::string> tokenize_date_text(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(word), word.clear();
  };
  for (size_t i = 0; i < text.size();) {
    const std::string ch = utf8_char_at(text, i);
    const unsigned char c = static_cast<unsigned char>(ch[0]);
    i += ch.size();
    if (ch.size() == 1 && std::isalpha(c)) {
      word += lower_latin1(ch);
    } else if (ch.size() == 2) {
      word += lower_latin1(ch);  // Latin letters with accents (é, ä, û) are part of a word
    } else if (ch.size() == 1 && std::isspace(c)) {
      flush();
    } else {
      flush();
      out.push_back(ch);  // digit, punctuation, CJK character
    }
  }
  flush();
  return out;
}

DateExample random_date(Rng& rng) {
  const int y = 1900 + static_cast<int>(rng.below(200));
  const int m = 1 + static_cast<int>(rng.below(12));
  const int d = 1 + static_cast<int>(rng.below(days_in_month(y, m)));
  int format = static_cast<int>(rng.below(kDateFormats));
  // Two-digit years are only used where they are unambiguous (1950-2049).
  if (!two_digit_year_ok(y) && (format == int(DateFormat::dmy_slash_yy) || format == int(DateFormat::dmy_dot_yy)))
    format = int(DateFormat::dmy_slash);
  return date_in_format(y, m, d, static_cast<DateFormat>(format));
}

DateExample date_in_format(int y, int m, int d, DateFormat format) {
  ATTNSCOPE_CHECK(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m), ValueError,
                  "no such date: " + std::to_string(y) + "-" + std::to_string(m) + "-" + std::to_string(d));
  ATTNSCOPE_CHECK(two_digit_year_ok(y) || (format != DateFormat::dmy_slash_yy && format != DateFormat::dmy_dot_yy),
                  ValueError, "two-digit years are written for 1950-2049 only, not " + std::to_string(y));
  DateExample ex;
  ex.year = y;
  ex.month = m;
  ex.day = d;
  const int wd = day_of_week(y, m, d);
  const std::string yy = two(y % 100), yyyy = std::to_string(y);
  enum { kYear = 1, kMonth = 2, kDay = 3 };
  Builder b;
  switch (format) {
    case DateFormat::en_weekday_short:  // sat 3 april 1999
      b.add(std::string(kDaysEnShort[wd]) + " ", 0), b.add(std::to_string(d), kDay), b.add(" ", 0),
          b.add(kMonthsEn[m - 1], kMonth), b.add(" ", 0), b.add(yyyy, kYear);
      break;
    case DateFormat::en_weekday_long:  // saturday, april 3, 1999
      b.add(std::string(kDaysEn[wd]) + ", ", 0), b.add(kMonthsEn[m - 1], kMonth), b.add(" ", 0),
          b.add(std::to_string(d), kDay), b.add(", ", 0), b.add(yyyy, kYear);
      break;
    case DateFormat::en_month_ordinal:  // April 3rd, 1999
    {
      std::string month = kMonthsEn[m - 1];
      month[0] = static_cast<char>(std::toupper(month[0]));
      b.add(month + " ", kMonth), b.add(std::to_string(d) + ordinal_suffix(d), kDay), b.add(", ", 0),
          b.add(yyyy, kYear);
      break;
    }
    case DateFormat::en_month_short:  // 3 apr 1999
      b.add(std::to_string(d), kDay), b.add(" ", 0), b.add(kMonthsEnShort[m - 1], kMonth),
          b.add(" ", 0), b.add(yyyy, kYear);
      break;
    case DateFormat::dmy_slash_yy:  // 03/04/99
      b.add(two(d), kDay), b.add("/", 0), b.add(two(m), kMonth), b.add("/", 0), b.add(yy, kYear);
      break;
    case DateFormat::dmy_dot_yy:  // 3.4.99
      b.add(std::to_string(d), kDay), b.add(".", 0), b.add(std::to_string(m), kMonth), b.add(".", 0),
          b.add(yy, kYear);
      break;
    case DateFormat::dmy_slash:  // 03/04/1999
      b.add(two(d), kDay), b.add("/", 0), b.add(two(m), kMonth), b.add("/", 0), b.add(yyyy, kYear);
      break;
    case DateFormat::fr:  // 3 avril 1999
      b.add(std::to_string(d), kDay), b.add(" ", 0), b.add(kMonthsFr[m - 1], kMonth), b.add(" ", 0),
          b.add(yyyy, kYear);
      break;
    case DateFormat::fr_weekday:  // samedi 3 avril 1999
      b.add(std::string(kDaysFr[wd]) + " ", 0), b.add(std::to_string(d), kDay), b.add(" ", 0),
          b.add(kMonthsFr[m - 1], kMonth), b.add(" ", 0), b.add(yyyy, kYear);
      break;
    case DateFormat::de:  // 3. April 1999
    {
      std::string month = kMonthsDe[m - 1];
      month[0] = static_cast<char>(std::toupper(month[0]));
      b.add(std::to_string(d), kDay), b.add(". ", 0), b.add(month, kMonth), b.add(" ", 0),
          b.add(yyyy, kYear);
      break;
    }
    case DateFormat::es:  // 3 de abril de 1999
      b.add(std::to_string(d), kDay), b.add(" de ", 0), b.add(kMonthsEs[m - 1], kMonth),
          b.add(" de ", 0), b.add(yyyy, kYear);
      break;
    case DateFormat::cjk:  // 1999年4月3日
      b.add(yyyy, kYear), b.add("年", 0), b.add(std::to_string(m), kMonth), b.add("月", 0),
          b.add(std::to_string(d), kDay), b.add("日", 0);
      break;
    case DateFormat::ymd_slash:  // 1999/04/03
      b.add(yyyy, kYear), b.add("/", 0), b.add(two(m), kMonth), b.add("/", 0), b.add(two(d), kDay);
      break;
    case DateFormat::en_ordinal_of:  // 3rd of april 1999
      b.add(std::to_string(d) + ordinal_suffix(d), kDay), b.add(" of ", 0),
          b.add(kMonthsEn[m - 1], kMonth), b.add(" ", 0), b.add(yyyy, kYear);
      break;
    case DateFormat::en_month_first:  // april 3 1999
      b.add(kMonthsEn[m - 1], kMonth), b.add(" ", 0), b.add(std::to_string(d), kDay), b.add(" ", 0),
          b.add(yyyy, kYear);
      break;
    case DateFormat::ymd_dash:  // 1999-4-3 (loose ISO)
      b.add(yyyy, kYear), b.add("-", 0), b.add(std::to_string(m), kMonth), b.add("-", 0),
          b.add(std::to_string(d), kDay);
      break;
  }
  ex.text = b.text;
  ex.source = b.tokens;
  char iso[40];  // room for any int, so the compiler can see nothing is cut
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
  for (int i = 0; i < 10; ++i) {
    ex.target.push_back(std::string(1, iso[i]));
    const int f = i < 4 ? kYear : i == 4 || i == 7 ? 0 : i < 7 ? kMonth : kDay;
    std::vector<int> g;
    if (f)
      for (size_t t = 0; t < b.field.size(); ++t)
        if (b.field[t] == f) g.push_back(static_cast<int>(t));
    ex.gold.push_back(g);
  }
  return ex;
}

std::vector<DateExample> date_dataset(int64_t n, uint64_t seed) {
  if (n < 0) throw ConfigError("date_dataset: negative size");
  Rng rng(seed);
  std::vector<DateExample> out;
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) out.push_back(random_date(rng));
  return out;
}

}  // namespace attnscope::data
