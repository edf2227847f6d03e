#include "dirmail/config/shared_config.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "dirmail/base/strings.hpp"
#include "dirmail/config/loader.hpp"
#include "dirmail/config/node_local_settings.hpp"
#include "dirmail/config/setting_lines.hpp"
#include "loader_detail.hpp"

namespace dirmail::config {
namespace {

using detail::Problem;

// Every node-local setting the shared file sets, where it sets it.
std::vector<Problem> node_local_in_shared(const toml::table& root) {
  std::vector<Problem> problems;
  for (const auto& [section, node] : root) {
    const toml::table* table = node.as_table();
    if (table == nullptr) continue;
    for (const auto& [key, value] : *table) {
      const std::string name = std::string(section.str()) + "." + std::string(key.str());
      if (!node_local_setting(name)) continue;
      const toml::source_position& where = key.source().begin;
      problems.push_back(Problem{where.line, where.column, name + " is node-local: set it in each node's own file"});
    }
  }
  return problems;
}

}  // namespace

Result<LocalConfig> load_local_file(const std::string& path) {
  auto text = read_config_text(path);
  if (!text) return std::move(text).error();
  LocalConfig local{path, std::move(*text), detail::config_folder(path), {}};
  auto settings = load_string(local.text, local.path, local.folder);
  if (!settings) return std::move(settings).error();
  local.settings = std::move(*settings);
  return local;
}

Result<LayeredSettings> add_shared_config(const LocalConfig& local, std::string_view shared_toml,
                                          std::string_view shared_name) {
  auto shared_root = detail::parse_document(shared_toml, shared_name);
  if (!shared_root) return std::move(shared_root).error();
  Settings settings = detail::table_defaults();
  std::vector<Problem> problems = node_local_in_shared(*shared_root);
  std::vector<Problem> value_problems = detail::read_document(*shared_root, settings);
  problems.insert(problems.end(), std::make_move_iterator(value_problems.begin()),
                  std::make_move_iterator(value_problems.end()));
  if (!problems.empty()) return detail::report(shared_name, std::move(problems));

  // The local file loaded before; read again over the shared values, it wins.
  auto local_root = detail::parse_document(local.text, local.path);
  if (!local_root) return std::move(local_root).error();
  problems = detail::read_document(*local_root, settings);
  if (!problems.empty()) return detail::report(local.path, std::move(problems));
  detail::resolve_paths(settings, local.folder);

  LayeredSettings layered{std::move(settings), {}};
  const auto shared_lines = setting_lines(shared_toml);
  std::vector<std::pair<std::uint32_t, std::string>> overridden;
  for (const auto& [name, line] : setting_lines(local.text)) {
    const auto shared = shared_lines.find(name);
    if (shared == shared_lines.end()) continue;
    // One line each, whatever the file names hold (as problems are reported).
    overridden.emplace_back(line, escape_control(name + " is set in both " + local.path + ":" + std::to_string(line) +
                                                 " and " + std::string(shared_name) + ":" +
                                                 std::to_string(shared->second) + "; the local value is used"));
  }
  std::sort(overridden.begin(), overridden.end());
  for (auto& [line, warning] : overridden) layered.warnings.push_back(std::move(warning));
  return layered;
}

}  // namespace dirmail::config
