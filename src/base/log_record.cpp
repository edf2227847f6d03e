#include "dirmail/base/log_record.hpp"

#include <algorithm>

namespace dirmail::log {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// YYYY-MM-DDTHH:MM:SS, then optional fraction, then Z: what log.cpp's pattern writes.
bool valid_time(std::string_view t) {
  if (t.size() < 20 || t.back() != 'Z') return false;
  static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd";
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 'd' ? !is_digit(t[i]) : t[i] != shape[i]) return false;
  std::string_view rest = t.substr(shape.size(), t.size() - shape.size() - 1);
  if (rest.empty()) return true;
  if (rest.front() != '.' || rest.size() < 2) return false;
  return std::all_of(rest.begin() + 1, rest.end(), is_digit);
}

bool valid_key(std::string_view k) {
  if (k.empty() || k.size() > 64) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-' || c == '.';
  });
}

Error bad(std::string what) { return make_error(ErrorCode::invalid_argument, std::move(what)); }

std::string_view next_word(std::string_view& rest) {
  auto end = rest.find(' ');
  std::string_view word = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  return word;
}

}  // namespace

const std::string* LogRecord::find(std::string_view key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

std::vector<std::string_view> LogRecord::all(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : fields)
    if (k == key) out.push_back(v);
  return out;
}

Result<LogRecord> parse_log_record(std::string_view line) {
  if (line.size() > kMaxRecordLineBytes) return make_error(ErrorCode::limit_exceeded, "line too long");
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  LogRecord r;
  std::string_view rest = line;
  std::string_view time = next_word(rest);
  if (!valid_time(time)) return bad("no UTC time at the start");
  r.time = time;
  std::string_view level = next_word(rest);
  if (level.empty() || !std::all_of(level.begin(), level.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    return bad("no level after the time");
  r.level = level;
  std::size_t count = 0;
  while (!rest.empty()) {
    if (++count > kMaxRecordFields) return make_error(ErrorCode::limit_exceeded, "too many fields");
    auto eq = rest.find('=');
    if (eq == std::string_view::npos) return bad("a field without '='");
    std::string_view key = rest.substr(0, eq);
    if (!valid_key(key)) return bad("a bad field name");
    rest.remove_prefix(eq + 1);
    std::string value;
    if (key == "msg" && !rest.empty() && rest.front() == '"') {
      // Written unescaped and last: everything up to the final quote.
      if (rest.size() < 2 || rest.back() != '"') return bad("msg without its closing quote");
      r.msg = rest.substr(1, rest.size() - 2);
      rest = {};
      break;
    }
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      bool closed = false;
      for (; i < rest.size(); ++i) {
        char c = rest[i];
        if (c == '\\') {
          if (i + 1 >= rest.size() || (rest[i + 1] != '"' && rest[i + 1] != '\\')) return bad("a bad escape in a quoted value");
          value.push_back(rest[++i]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value.push_back(c);
        }
      }
      if (!closed) return bad("a quoted value without its closing quote");
      rest.remove_prefix(i + 1);
      if (!rest.empty()) {
        if (rest.front() != ' ') return bad("no space after a quoted value");
        rest.remove_prefix(1);
      }
    } else {
      value = next_word(rest);
      if (value.empty()) return bad("an empty unquoted value");
      if (value.find('"') != std::string::npos) return bad("a stray quote in a value");
    }
    if (key == "service" && r.service.empty()) r.service = std::move(value);
    else if (key == "type" && r.type.empty()) r.type = std::move(value);
    else r.fields.emplace_back(std::string(key), std::move(value));
  }
  if (r.service.empty()) return bad("no service=");
  if (r.type.empty()) return bad("no type=");
  return r;
}

}  // namespace dirmail::log
