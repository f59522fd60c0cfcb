// The CSV reader: quoted fields with commas, doubled quotes and line breaks; CRLF; blank lines;
// malformed records are one FormatError naming the line.
#include <gtest/gtest.h>

#include "attnscope/core/error.h"
#include "attnscope/data/csv.h"

namespace attnscope::data {
namespace {

TEST(Csv, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  const auto rows = parse_csv("image,caption\r\na.jpg,\"A dog , a ball\"\n\nb.jpg,\"say \"\"hi\"\"\nthere\"\nc.jpg,\n", "c.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"a.jpg", "A dog , a ball"}));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"b.jpg", "say \"hi\"\nthere"}));
  EXPECT_EQ(rows[2].line, 4);
  EXPECT_EQ(rows[3].line, 6);
  EXPECT_EQ(rows[3].fields, (std::vector<std::string>{"c.jpg", ""}));
  EXPECT_EQ(parse_csv("x", "n").front().fields, std::vector<std::string>{"x"});  // no final newline
}

TEST(Csv, MalformedRecordsNameTheLine) {
  for (const char* bad : {"a,b\nc,\"never closed\n", "a,b\nc,d\"e\n", "a,b\nc,\"d\"e\n"}) {
    try {
      parse_csv(bad, "bad.csv");
      ADD_FAILURE() << bad;
    } catch (const FormatError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("bad.csv:2: not valid CSV", 0), 0u) << e.what();
    }
  }
  EXPECT_FALSE(csv_fields("a,\"b"));
  EXPECT_FALSE(csv_fields("a,b\nc"));  // one line only
  EXPECT_EQ(*csv_fields("a,\"b,c\""), (std::vector<std::string>{"a", "b,c"}));
}

}  // namespace
}  // namespace attnscope::data
