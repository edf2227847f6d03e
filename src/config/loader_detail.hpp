#pragma once
// The loader's steps, private to the config library: load_string() and load_file() are
// made of them, and so is the loading of a local file with a shared one
// (shared_config.hpp), so that both report problems the same way.
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"
#include "setting_value.hpp"

namespace dirmail::config::detail {

// Settings holding the table's default values, paths not yet resolved. A default that
// does not parse is a bug in settings.def (the unit tests load every default).
const Settings& table_defaults();

// The parsed document, or "NAME:LINE: TOML syntax error ..." (limit_exceeded past
// kMaxConfigBytes).
Result<toml::table> parse_document(std::string_view toml, std::string_view source_name);

// Reads every key of a parsed document into `settings`, collecting what is wrong.
std::vector<Problem> read_document(const toml::table& root, Settings& settings);

// One "NAME:LINE: reason" line per problem, in file order (invalid_argument).
Error report(std::string_view source_name, std::vector<Problem> problems);

// server.data_dir against `base_dir`, every other relative Path against server.data_dir.
void resolve_paths(Settings& settings, const std::string& base_dir);

// "NAME: configuration is larger than 1 MiB".
std::string too_large(std::string_view source_name);

// The absolute folder of a configuration file: its relative server.data_dir's base.
std::string config_folder(const std::string& path);

}  // namespace dirmail::config::detail
