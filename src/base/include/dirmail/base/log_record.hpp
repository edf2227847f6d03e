#pragma once
// Reads back one line of the structured logs that log.hpp writes:
//   TIME LEVEL service=NAME type=TYPE key=value key="quoted \"value\"" ... msg="text"
// TIME is UTC (2026-11-28T05:56:25.123Z); a value with a space, '"', '=' or a control
// character is quoted with '"' and '\' escaped; msg is last and written as is (not
// escaped), so it runs to the closing quote at the end of the line.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::log {

// A receive line carries one to= per recipient, so the limits follow smtp.max_recipients'
// largest value (100000) with addresses of up to 254 bytes; a line over them is skipped
// as damaged, not cut. One line at a time is held, so the memory stays bounded.
inline constexpr std::size_t kMaxRecordFields = 100'000 + 100;
inline constexpr std::size_t kMaxRecordLineBytes = 32 * 1024 * 1024;

struct LogRecord {
  std::string time;     // as written: YYYY-MM-DDTHH:MM:SS.mmmZ
  std::string level;    // spdlog's names: debug, info, warning, error, ...
  std::string service;  // smtp, pop3, imap, delivery, ...
  std::string type;     // receive, send, accept, sender, failure, session, auth, ...
  std::vector<std::pair<std::string, std::string>> fields;  // the rest, in order (keys repeat: to=)
  std::string msg;      // empty when the line has none

  std::string_view date() const { return std::string_view(time).substr(0, 10); }
  // The first value of `key`, or nullptr.
  const std::string* find(std::string_view key) const;
  std::vector<std::string_view> all(std::string_view key) const;
};

// One line without its newline (a trailing '\r' is ignored). invalid_argument names
// what is wrong; limit_exceeded for a line over kMaxRecordLineBytes or kMaxRecordFields.
Result<LogRecord> parse_log_record(std::string_view line);

}  // namespace dirmail::log
