// Task settings: what a training task can be told (cell, attention, hidden, data, ...), declared
// once as data. The CLI turns each declared setting into a flag (`--attention additive`), a library
// user sets it by name, and a checkpoint stores all values so that a resumed run can be checked
// against the run it continues. Values are kept as text and converted on read; a name the task
// did not declare, a value outside the declared choices or bounds, or a failed conversion is a
// ConfigError naming the setting.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace attnscope::train {

struct SettingSpec {
  enum class Type { text, integer, real, flag };
  std::string name;                  // "attention" (the CLI spells it --attention)
  Type type = Type::text;
  std::string fallback;              // the default, as text ("" = none)
  std::string help;
  std::vector<std::string> choices;  // text: the allowed values (empty: any)
  double min = -std::numeric_limits<double>::infinity();  // integer/real bounds (inclusive)
  double max = std::numeric_limits<double>::infinity();
};

// Builders that keep task tables short.
SettingSpec text_setting(std::string name, std::string fallback, std::string help, std::vector<std::string> choices = {});
SettingSpec int_setting(std::string name, int64_t fallback, std::string help, double min = 0, double max = 1e12);
SettingSpec real_setting(std::string name, double fallback, std::string help, double min, double max);
SettingSpec flag_setting(std::string name, std::string help);

class Settings {
 public:
  Settings() = default;
  explicit Settings(std::vector<SettingSpec> specs);

  // Sets a value (validated now). ConfigError for an undeclared name or a bad value.
  void set(const std::string& name, const std::string& value);
  // True when set() gave this setting a value (not its default).
  bool given(const std::string& name) const;
  // The value (given, else the default). ConfigError for an undeclared name.
  std::string text(const std::string& name) const;
  int64_t integer(const std::string& name) const;
  double real(const std::string& name) const;
  bool flag(const std::string& name) const;

  const std::vector<SettingSpec>& specs() const { return specs_; }
  // Every declared setting with its value, as "name=value" pairs sorted by name: what shapes a
  // run, stored in checkpoints.
  std::map<std::string, std::string> values() const;

 private:
  const SettingSpec& spec(const std::string& name) const;
  std::vector<SettingSpec> specs_;
  std::map<std::string, std::string> given_;
};

}  // namespace attnscope::train
