// Fuzzes the log line reader (parse_log_record): limits hold, and a line it reads,
// written again the way log.cpp writes, reads back the same.
#include <string>

#include "dirmail/base/log_record.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

// log.cpp's quoting (without its '?' for control characters, which is lossy).
void append_value(std::string& out, std::string_view v) {
  bool quote = v.empty();
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) quote = true;
  if (!quote) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line = fuzz::as_view(data, size);
  auto parsed = log::parse_log_record(line);
  if (line.size() > log::kMaxRecordLineBytes) {
    FUZZ_CHECK(!parsed.ok() && parsed.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().message.empty());
    return 0;
  }
  const log::LogRecord& r = *parsed;
  FUZZ_CHECK(r.time.size() >= 20 && r.time.back() == 'Z' && r.date().size() == 10);
  FUZZ_CHECK(!r.level.empty() && !r.service.empty() && !r.type.empty());
  FUZZ_CHECK(r.fields.size() + 2 <= log::kMaxRecordFields);
  if (r.find("msg")) return 0;  // a bare msg=word field: quoting it again would make it the message
  std::string again = r.time + " " + r.level + " service=";
  append_value(again, r.service);
  again += " type=";
  append_value(again, r.type);
  for (const auto& [key, value] : r.fields) {
    again += " " + key + "=";
    append_value(again, value);
  }
  if (!r.msg.empty()) again += " msg=\"" + r.msg + "\"";
  if (again.size() > log::kMaxRecordLineBytes) return 0;
  auto reread = log::parse_log_record(again);
  FUZZ_CHECK(reread.ok());
  FUZZ_CHECK(reread->time == r.time && reread->level == r.level && reread->service == r.service &&
             reread->type == r.type && reread->fields == r.fields && reread->msg == r.msg);
  return 0;
}
