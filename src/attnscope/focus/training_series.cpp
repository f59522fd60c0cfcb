#include "attnscope/focus/training_series.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/focus/head_stats.h"

namespace attnscope::focus {

std::vector<std::string> TrainingSeries::measures() const {
  std::set<std::string> task, heads;
  for (const auto& p : points)
    for (const auto& [k, v] : p.values) (k.find('/') == std::string::npos ? task : heads).insert(k);
  std::vector<std::string> out(task.begin(), task.end());
  out.insert(out.end(), heads.begin(), heads.end());
  return out;
}

void TrainingSeries::truncate_after(int64_t step) {
  std::erase_if(points, [&](const SeriesPoint& p) { return p.step > step; });
}

SeriesPoint trace_point(const io::Trace& trace, int64_t step) {
  FocusSums sums;
  sums.add(trace);
  SeriesPoint p;
  p.step = step;
  for (const auto& L : sums.layers)
    for (size_t h = 0; h < L.heads.size(); ++h) {
      if (L.heads[h].rows == 0) continue;  // no row with a choice (or a stats-free layer)
      const HeadReport r = head_report(L.heads[h]);
      const std::string head = L.name + "/h" + std::to_string(h);
      p.values["entropy/" + head] = r.entropy;
      p.roles[head] = r.role;
    }
  return p;
}

int64_t first_step_reaching(const TrainingSeries& s, const std::string& measure, double threshold) {
  for (const auto& p : s.points)
    if (const auto it = p.values.find(measure); it != p.values.end() && it->second >= threshold) return p.step;
  return -1;
}

std::vector<std::string> role_changes(const TrainingSeries& s) {
  std::map<std::string, std::string> line, last;
  std::map<std::string, int> changes;
  for (const auto& p : s.points)
    for (const auto& [head, role] : p.roles)
      if (last[head] != role) {
        line[head] += (line[head].empty() ? "" : " ") + role + "@" + std::to_string(p.step);
        changes[head] += !last[head].empty();
        last[head] = role;
      }
  std::vector<std::string> out;
  for (const auto& [head, text] : line)
    if (changes[head] > 0) out.push_back(head + ": " + text);
  return out;
}

nlohmann::json to_json(const TrainingSeries& s) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : s.points) {
    nlohmann::json v = nlohmann::json::object();
    for (const auto& [k, x] : p.values) v[k] = std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
    a.push_back({{"step", p.step}, {"values", v}, {"roles", p.roles}});
  }
  return a;
}

TrainingSeries series_from_json(const nlohmann::json& j, const std::string& what) {
  TrainingSeries s;
  try {
    if (!j.is_array()) throw FormatError("");
    for (const auto& e : j) {
      SeriesPoint p;
      p.step = e.at("step").get<int64_t>();
      if (!s.points.empty() && p.step <= s.points.back().step) throw FormatError("");
      for (const auto& [k, v] : e.at("values").items()) p.values[k] = v.is_null() ? NAN : v.get<double>();
      const nlohmann::json roles = e.value("roles", nlohmann::json::object());  // named: items() must not outlive it
      for (const auto& [k, v] : roles.items()) p.roles[k] = v.get<std::string>();
      s.points.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception&) {
    throw FormatError(what + ": its focus series is not valid");
  } catch (const FormatError&) {
    throw FormatError(what + ": its focus series is not valid (steps must increase)");
  }
  return s;
}

std::pair<std::string, std::string> panel_of(const std::string& measure) {
  const size_t last = measure.rfind('/');
  if (last == std::string::npos) return {measure, ""};
  std::string panel = measure.substr(0, last);
  std::replace(panel.begin(), panel.end(), '/', ' ');
  return {panel, measure.substr(last + 1)};
}

}  // namespace attnscope::focus
