#include "dirmail/config/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <vector>

#include <toml++/toml.h>

#include "dirmail/base/strings.hpp"
#include "dirmail/base/windows_path_map.hpp"
#include "loader_detail.hpp"
#include "setting_value.hpp"

namespace dirmail::config {
namespace {

namespace fs = std::filesystem;
using detail::Problem;

// Beyond this many problems a report stops helping; the rest are counted.
constexpr std::size_t kMaxReportedProblems = 20;

Problem problem_at(const toml::source_region& where, std::string reason) {
  return Problem{where.begin.line, where.begin.column, std::move(reason)};
}

// A path without "." or ".." parts and without a trailing separator.
std::string normal_path(const fs::path& path) {
  fs::path normal = path.lexically_normal();
  if (!normal.has_filename() && normal.has_relative_path()) normal = normal.parent_path();
  std::string text = normal.string();
  // POSIX lets "//" at the start mean something else; Linux does not, and a second
  // load must give the same path as the first.
  while (text.size() > 1 && text[0] == '/' && text[1] == '/') text.erase(0, 1);
  return text;
}

std::string section_hint(std::string_view key) {
  for (const SettingSpec& spec : setting_specs()) {
    if (spec.key() == key) return "; settings belong in sections, e.g. \"" + std::string(spec.name) + "\"";
  }
  return "";
}

}  // namespace

const Settings& detail::table_defaults() {
  static const Settings settings = [] {
    Settings s;
    for (const SettingSpec& spec : setting_specs()) {
      std::string document = "value = ";
      document += spec.default_toml;
      std::optional<Problem> problem;
      try {
        const toml::table table = toml::parse(document, spec.name);
        problem = detail::read_setting(spec, *table.get("value"), s);
      } catch (const toml::parse_error& e) {
        problem = Problem{0, 0, std::string(spec.name) + ": " + std::string(e.description())};
      }
      if (problem) {
        std::cerr << "settings.def: bad default: " << problem->reason << "\n";
        std::abort();
      }
    }
    return s;
  }();
  return settings;
}

void detail::resolve_paths(Settings& settings, const std::string& base_dir) {
  std::error_code ec;
  fs::path base = fs::absolute(base_dir.empty() ? fs::path(".") : fs::path(base_dir), ec);
  if (ec) base = fs::path(base_dir);

  fs::path data_dir(settings.server_data_dir);
  if (data_dir.is_relative()) data_dir = base / data_dir;
  settings.server_data_dir = normal_path(data_dir);

  for (const SettingSpec& spec : setting_specs()) {
    if (spec.type != SettingType::Path) continue;
    const auto member = std::get<std::string Settings::*>(spec.field);
    if (member == &Settings::server_data_dir) continue;
    std::string& value = settings.*member;
    // An empty path keeps its meaning ("none", e.g. log.dir = "" logs to stderr only).
    if (value.empty()) continue;
    // A share (queue.dir = "\\nas\mail\queue") is resolved where it is used, with store.path_map.
    if (is_unc_path(value) || is_drive_path(value) || value.starts_with("smb://")) continue;
    const fs::path path(value);
    value = normal_path(path.is_relative() ? fs::path(settings.server_data_dir) / path : path);
  }
}

std::vector<Problem> detail::read_document(const toml::table& root, Settings& settings) {
  std::vector<Problem> problems;
  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    const toml::table* section_table = section_node.as_table();
    if (section_table == nullptr) {
      if (is_known_section(section)) {
        problems.push_back(problem_at(section_key.source(), "\"" + section + "\" must be a section ([" + section +
                                                                "]), not " +
                                                                std::string(detail::describe_node_type(
                                                                    section_node.type()))));
      } else {
        problems.push_back(
            problem_at(section_key.source(), "unknown setting \"" + section + "\"" + section_hint(section)));
      }
      continue;
    }
    if (!is_known_section(section)) {
      problems.push_back(problem_at(section_key.source(), "unknown section \"" + section + "\""));
      continue;
    }
    for (const auto& [key, node] : *section_table) {
      const std::string name = section + "." + std::string(key.str());
      const SettingSpec* spec = find_setting(name);
      if (spec == nullptr) {
        problems.push_back(problem_at(key.source(), "unknown setting \"" + name + "\""));
        continue;
      }
      if (auto problem = detail::read_setting(*spec, node, settings)) problems.push_back(std::move(*problem));
    }
  }
  return problems;
}

Error detail::report(std::string_view source_name, std::vector<Problem> problems) {
  std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::string message;
  const std::size_t shown = std::min(problems.size(), kMaxReportedProblems);
  for (std::size_t i = 0; i < shown; ++i) {
    if (!message.empty()) message += '\n';
    // One line per problem, whatever the reason quotes from the file.
    message += std::string(source_name) + ":" + std::to_string(problems[i].line) + ": " +
               escape_control(problems[i].reason);
  }
  if (problems.size() > shown) {
    message += "\n" + std::string(source_name) + ": " + std::to_string(problems.size() - shown) +
               " more problems not shown";
  }
  return make_error(ErrorCode::invalid_argument, std::move(message));
}

std::string detail::too_large(std::string_view source_name) {
  return std::string(source_name) + ": configuration is larger than " +
         std::to_string(kMaxConfigBytes / (1024 * 1024)) + " MiB";
}

Result<toml::table> detail::parse_document(std::string_view toml, std::string_view source_name) {
  if (toml.size() > kMaxConfigBytes) return make_error(ErrorCode::limit_exceeded, too_large(source_name));
  try {
    return toml::parse(toml, source_name);
  } catch (const toml::parse_error& e) {
    const toml::source_position& where = e.source().begin;
    return make_error(ErrorCode::invalid_argument, std::string(source_name) + ":" + std::to_string(where.line) +
                                                       ": TOML syntax error at column " +
                                                       std::to_string(where.column) + ": " +
                                                       escape_control(e.description()));
  }
}

Settings defaults(const std::string& base_dir) {
  Settings settings = detail::table_defaults();
  detail::resolve_paths(settings, base_dir);
  return settings;
}

Result<Settings> load_string(std::string_view toml, std::string_view source_name, const std::string& base_dir) {
  auto root = detail::parse_document(toml, source_name);
  if (!root) return std::move(root).error();
  Settings settings = detail::table_defaults();
  std::vector<Problem> problems = detail::read_document(*root, settings);
  if (!problems.empty()) return detail::report(source_name, std::move(problems));
  detail::resolve_paths(settings, base_dir);
  return settings;
}

Result<std::string> read_config_text(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    const int err = errno;
    return make_error(err == ENOENT ? ErrorCode::not_found : ErrorCode::io_error,
                      path + ": cannot open: " + std::strerror(err));
  }
  // Read one byte past the limit to tell "exactly at the limit" from "over it".
  std::string text(kMaxConfigBytes + 1, '\0');
  const std::size_t got = std::fread(text.data(), 1, text.size(), file.get());
  if (std::ferror(file.get())) {
    const int err = errno;
    return make_error(ErrorCode::io_error, path + ": cannot read: " + std::strerror(err));
  }
  if (got > kMaxConfigBytes) return make_error(ErrorCode::limit_exceeded, detail::too_large(path));
  text.resize(got);
  return text;
}

std::string detail::config_folder(const std::string& path) {
  std::error_code ec;
  fs::path folder = fs::absolute(fs::path(path), ec).parent_path();
  if (ec) folder = fs::path(path).parent_path();
  return folder.string();
}

Result<Settings> load_file(const std::string& path) {
  auto text = read_config_text(path);
  if (!text) return std::move(text).error();
  return load_string(*text, path, detail::config_folder(path));
}

}  // namespace dirmail::config
