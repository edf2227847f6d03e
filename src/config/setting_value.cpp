#include "setting_value.hpp"

#include <algorithm>
#include <utility>

#include "dirmail/config/listen_entry.hpp"
#include "dirmail/base/windows_path_map.hpp"

namespace dirmail::config::detail {
namespace {

Problem problem_at(const toml::node& node, const SettingSpec& spec, std::string reason) {
  const toml::source_position& where = node.source().begin;
  return Problem{where.line, where.column, std::string(spec.name) + ": " + std::move(reason)};
}

std::string_view expected_for(SettingType type) {
  switch (type) {
    case SettingType::Bool: return "true or false";
    case SettingType::Integer:
    case SettingType::Size:
    case SettingType::Duration: return "an integer";
    case SettingType::String:
    case SettingType::Path:
    case SettingType::Enum: return "a string";
    case SettingType::StringList: return "an array of strings";
  }
  return "a value";
}

Problem wrong_type(const SettingSpec& spec, const toml::node& node) {
  return problem_at(node, spec,
                    "expected " + std::string(expected_for(spec.type)) + ", got " +
                        std::string(describe_node_type(node.type())));
}

// Checks a string's size and content; the string is the value of `node`.
std::optional<Problem> check_string(const SettingSpec& spec, const toml::node& node, const std::string& text) {
  if (text.size() > kMaxStringBytes) {
    return problem_at(node, spec, "longer than " + std::to_string(kMaxStringBytes) + " bytes");
  }
  if (text.find('\0') != std::string::npos) return problem_at(node, spec, "contains a NUL character");
  return std::nullopt;
}

std::optional<Problem> read_integer(const SettingSpec& spec, const toml::node& node, std::int64_t& out) {
  const auto* value = node.as_integer();
  if (value == nullptr) return wrong_type(spec, node);
  const std::int64_t n = value->get();
  if (spec.has_range() && (n < spec.min || n > spec.max)) {
    return problem_at(node, spec,
                      std::to_string(n) + " is out of range " + std::to_string(spec.min) + ".." +
                          std::to_string(spec.max));
  }
  out = n;
  return std::nullopt;
}

std::optional<Problem> read_string(const SettingSpec& spec, const toml::node& node, std::string& out) {
  const auto* value = node.as_string();
  if (value == nullptr) return wrong_type(spec, node);
  if (auto p = check_string(spec, node, value->get())) return p;
  if (spec.type == SettingType::Enum) {
    const auto allowed = spec.allowed_values();
    if (std::find(allowed.begin(), allowed.end(), value->get()) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
      }
      return problem_at(node, spec, "\"" + value->get() + "\" is not one of " + list);
    }
  }
  out = value->get();
  return std::nullopt;
}

std::optional<Problem> read_string_list(const SettingSpec& spec, const toml::node& node,
                                        std::vector<std::string>& out) {
  const auto* array = node.as_array();
  if (array == nullptr) return wrong_type(spec, node);
  if (array->size() > kMaxListEntries) {
    return problem_at(node, spec, "more than " + std::to_string(kMaxListEntries) + " entries");
  }
  std::vector<std::string> values;
  values.reserve(array->size());
  for (const toml::node& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr) {
      return problem_at(element, spec,
                        "every entry must be a string, got " + std::string(describe_node_type(element.type())));
    }
    if (auto p = check_string(spec, element, text->get())) return p;
    if (spec.unit == kListenEntryUnit) {
      auto entry = parse_listen_entry(text->get());
      if (!entry) return problem_at(element, spec, entry.error().message);
    }
    if (spec.unit == kPathMapUnit) {
      auto map = WindowsPathMap::parse({text->get()});
      if (!map) return problem_at(element, spec, map.error().message);
    }
    values.push_back(text->get());
  }
  out = std::move(values);
  return std::nullopt;
}

}  // namespace

std::string_view describe_node_type(toml::node_type type) {
  switch (type) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "an unknown value";
}

std::optional<Problem> read_setting(const SettingSpec& spec, const toml::node& node, Settings& settings) {
  switch (spec.type) {
    case SettingType::Bool: {
      const auto* value = node.as_boolean();
      if (value == nullptr) return wrong_type(spec, node);
      settings.*std::get<bool Settings::*>(spec.field) = value->get();
      return std::nullopt;
    }
    case SettingType::Integer:
    case SettingType::Size:
    case SettingType::Duration:
      return read_integer(spec, node, settings.*std::get<std::int64_t Settings::*>(spec.field));
    case SettingType::String:
    case SettingType::Path:
    case SettingType::Enum:
      return read_string(spec, node, settings.*std::get<std::string Settings::*>(spec.field));
    case SettingType::StringList:
      return read_string_list(spec, node, settings.*std::get<std::vector<std::string> Settings::*>(spec.field));
  }
  return Problem{0, 0, std::string(spec.name) + ": unknown setting type"};
}

}  // namespace dirmail::config::detail
