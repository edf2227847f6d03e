#pragma once
// Reads dirmail.toml into Settings, validated against the settings table.
//
// Every problem fails with ErrorCode::invalid_argument and a message "FILE:LINE: reason"
// naming the setting, e.g.
//   dirmail.toml:7: smtp.max_recipients: 0 is out of range 1..100000
//   dirmail.toml:3: unknown setting "smtp.maxrecipients"
// When several settings are wrong, every problem is reported, one per line, in file order.
#include <cstddef>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {

// A configuration larger than this is refused before parsing.
inline constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

// Relative paths: server.data_dir against the folder of `path`; every other Path
// setting against server.data_dir.
Result<Settings> load_file(const std::string& path);

// As load_file, for text already in memory. `source_name` prefixes messages;
// `base_dir` plays the part of the configuration file's folder.
Result<Settings> load_string(std::string_view toml, std::string_view source_name, const std::string& base_dir);

// The bytes of a configuration file as load_file reads them: not_found when it does not
// exist, limit_exceeded past kMaxConfigBytes; messages start with `path`.
Result<std::string> read_config_text(const std::string& path);

// The table's defaults, paths resolved as if the configuration file were in `base_dir`.
Settings defaults(const std::string& base_dir);

}  // namespace dirmail::config
