#include "attnscope/train/settings.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"

namespace attnscope::train {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

bool parse_int(const std::string& v, int64_t* out) {
  try {
    size_t used = 0;
    *out = std::stoll(v, &used);
    return used == v.size();
  } catch (const std::exception&) {
    return false;
  }
}

bool parse_real(const std::string& v, double* out) {
  try {
    size_t used = 0;
    *out = std::stod(v, &used);
    return used == v.size() && std::isfinite(*out);
  } catch (const std::exception&) {
    return false;
  }
}

std::string fmt_bound(double x) {
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  std::string s = std::to_string(x);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

// ConfigError unless `v` is a valid value of `s`.
void check_value(const SettingSpec& s, const std::string& v) {
  const std::string what = "setting '" + s.name + "'";
  double x = 0;
  switch (s.type) {
    case SettingSpec::Type::text:
      if (!s.choices.empty() && std::find(s.choices.begin(), s.choices.end(), v) == s.choices.end())
        throw ConfigError(what + ": '" + v + "' is not one of " + join(s.choices));
      return;
    case SettingSpec::Type::flag:
      if (v != "true" && v != "false") throw ConfigError(what + ": expected true or false, got '" + v + "'");
      return;
    case SettingSpec::Type::integer: {
      int64_t i = 0;
      if (!parse_int(v, &i)) throw ConfigError(what + ": expected an integer, got '" + v + "'");
      x = static_cast<double>(i);
      break;
    }
    case SettingSpec::Type::real:
      if (!parse_real(v, &x)) throw ConfigError(what + ": expected a number, got '" + v + "'");
      break;
  }
  if (x < s.min || x > s.max)
    throw ConfigError(what + ": " + v + " is outside " + fmt_bound(s.min) + ".." + fmt_bound(s.max));
}

}  // namespace

SettingSpec text_setting(std::string name, std::string fallback, std::string help, std::vector<std::string> choices) {
  return {std::move(name), SettingSpec::Type::text, std::move(fallback), std::move(help), std::move(choices)};
}
SettingSpec int_setting(std::string name, int64_t fallback, std::string help, double min, double max) {
  SettingSpec s{std::move(name), SettingSpec::Type::integer, std::to_string(fallback), std::move(help), {}};
  s.min = min;
  s.max = max;
  return s;
}
SettingSpec real_setting(std::string name, double fallback, std::string help, double min, double max) {
  SettingSpec s{std::move(name), SettingSpec::Type::real, fmt_bound(fallback), std::move(help), {}};
  s.min = min;
  s.max = max;
  return s;
}
SettingSpec flag_setting(std::string name, std::string help) {
  return {std::move(name), SettingSpec::Type::flag, "false", std::move(help), {}};
}

Settings::Settings(std::vector<SettingSpec> specs) : specs_(std::move(specs)) {
  for (size_t i = 0; i < specs_.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (specs_[i].name == specs_[j].name) throw ConfigError("setting '" + specs_[i].name + "' declared twice");
}

const SettingSpec& Settings::spec(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return s;
  std::vector<std::string> names;
  for (const auto& s : specs_) names.push_back(s.name);
  throw ConfigError("unknown setting '" + name + "' (known: " + join(names) + ")");
}

void Settings::set(const std::string& name, const std::string& value) {
  check_value(spec(name), value);
  given_[name] = value;
}

bool Settings::given(const std::string& name) const {
  spec(name);
  return given_.count(name) > 0;
}

std::string Settings::text(const std::string& name) const {
  const SettingSpec& s = spec(name);
  auto it = given_.find(name);
  return it != given_.end() ? it->second : s.fallback;
}

int64_t Settings::integer(const std::string& name) const {
  int64_t v = 0;
  if (!parse_int(text(name), &v)) throw ConfigError("setting '" + name + "' has no integer value");
  return v;
}

double Settings::real(const std::string& name) const {
  double v = 0;
  if (!parse_real(text(name), &v)) throw ConfigError("setting '" + name + "' has no numeric value");
  return v;
}

bool Settings::flag(const std::string& name) const { return text(name) == "true"; }

std::map<std::string, std::string> Settings::values() const {
  std::map<std::string, std::string> out;
  for (const auto& s : specs_) out[s.name] = text(s.name);
  return out;
}

}  // namespace attnscope::train
