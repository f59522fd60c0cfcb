#include "attnscope/focus/training_series.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"

using namespace attnscope;

namespace {
// A one-layer cross-attention trace: two heads, 2 queries over 3 keys; head 0 peaked, head 1 uniform.
io::Trace two_head_trace() {
  io::Trace t;
  t.sequences = {{"source", {"a", "b", "c"}}, {"target", {"x", "y"}}};
  io::TraceLayer L;
  L.name = "decoder.cross";
  L.query_seq = "target";
  L.key_seq = "source";
  L.heads = 2;
  L.queries = 2;
  L.keys = 3;
  const float u = 1.f / 3;
  L.weights = {0.9f, 0.05f, 0.05f, 0.05f, 0.9f, 0.05f, u, u, u, u, u, u};
  t.layers = {L};
  return t;
}
}  // namespace

TEST(TrainingSeries, TracePointMeasuresEveryHead) {
  const focus::SeriesPoint p = focus::trace_point(two_head_trace(), 7);
  EXPECT_EQ(p.step, 7);
  const double peaked = -(0.9 * std::log(0.9) + 2 * 0.05 * std::log(0.05));
  EXPECT_NEAR(p.values.at("entropy/decoder.cross/h0"), peaked, 1e-5);
  EXPECT_NEAR(p.values.at("entropy/decoder.cross/h1"), std::log(3.0), 1e-5);
  EXPECT_EQ(p.roles.at("decoder.cross/h0"), "focused");
  EXPECT_EQ(p.roles.at("decoder.cross/h1"), "broad");
}

TEST(TrainingSeries, JsonRoundTripAndQueries) {
  focus::TrainingSeries s;
  for (int64_t step : {0, 50, 100}) {
    focus::SeriesPoint p = focus::trace_point(two_head_trace(), step);
    p.values["exact"] = step / 100.0;
    p.roles["decoder.cross/h1"] = step < 50 ? "broad" : "focused";
    s.points.push_back(p);
  }
  s.points[1].values["aer"] = NAN;  // stored as null, read back as NaN
  const focus::TrainingSeries r = focus::series_from_json(nlohmann::json::parse(focus::to_json(s).dump()), "x");
  ASSERT_EQ(r.points.size(), 3u);
  EXPECT_EQ(r.points[2].values.at("exact"), 1.0);
  EXPECT_TRUE(std::isnan(r.points[1].values.at("aer")));
  EXPECT_EQ(r.measures().front(), "aer");  // task measures first, then heads
  EXPECT_EQ(r.measures().back(), "entropy/decoder.cross/h1");
  EXPECT_EQ(focus::first_step_reaching(r, "exact", 0.99), 100);
  EXPECT_EQ(focus::first_step_reaching(r, "exact", 2.0), -1);
  EXPECT_EQ(focus::role_changes(r), (std::vector<std::string>{"decoder.cross/h1: broad@0 focused@50"}));
  focus::TrainingSeries t = r;
  t.truncate_after(50);
  EXPECT_EQ(t.points.size(), 2u);
  EXPECT_EQ(focus::panel_of("entropy/decoder.cross/h1"), (std::pair<std::string, std::string>{"entropy decoder.cross", "h1"}));
  EXPECT_EQ(focus::panel_of("exact").first, "exact");
}

TEST(TrainingSeries, RefusesMalformedJson) {
  EXPECT_THROW(focus::series_from_json(nlohmann::json::object(), "x"), FormatError);
  EXPECT_THROW(focus::series_from_json(nlohmann::json::parse(R"([{"step": 5, "values": {}}, {"step": 5, "values": {}}])"), "x"),
               FormatError);
  EXPECT_THROW(focus::series_from_json(nlohmann::json::parse(R"([{"values": {}}])"), "x"), FormatError);
}
