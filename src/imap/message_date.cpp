#include "dirmail/imap/message_date.hpp"

#include <array>
#include <ctime>
#include <string>

#include "dirmail/base/strings.hpp"

namespace dirmail::imap {
namespace {

constexpr std::array<std::string_view, 12> months{"jan", "feb", "mar", "apr", "may", "jun",
                                                  "jul", "aug", "sep", "oct", "nov", "dec"};

struct Zone {
  std::string_view name;
  int minutes;
};
constexpr std::array<Zone, 11> zone_names{{{"UT", 0}, {"GMT", 0}, {"Z", 0}, {"EST", -300}, {"EDT", -240},
                                           {"CST", -360}, {"CDT", -300}, {"MST", -420}, {"MDT", -360},
                                           {"PST", -480}, {"PDT", -420}}};

class Tokens {
 public:
  explicit Tokens(std::string_view s) : s_(s) {}
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
  }
  std::optional<int> number(std::size_t max_digits) {
    skip_space();
    std::size_t start = i_;
    int n = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && i_ - start < max_digits) n = n * 10 + (s_[i_++] - '0');
    if (i_ == start) return std::nullopt;
    return n;
  }
  std::string_view word() {
    skip_space();
    std::size_t start = i_;
    while (i_ < s_.size() && ((s_[i_] >= 'a' && s_[i_] <= 'z') || (s_[i_] >= 'A' && s_[i_] <= 'Z'))) ++i_;
    return s_.substr(start, i_ - start);
  }
  bool consume(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  char peek() {
    skip_space();
    return i_ < s_.size() ? s_[i_] : '\0';
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<std::int64_t> parse_message_date(std::string_view value) {
  Tokens t(value);
  if (t.peek() < '0' || t.peek() > '9') {  // [day-of-week ","]
    if (t.word().empty() || !t.consume(',')) return std::nullopt;
  }
  auto day = t.number(2);
  std::string_view month_name = t.word();
  auto year = t.number(4);
  auto hour = t.number(2);
  if (!day || !year || !hour || !t.consume(':')) return std::nullopt;
  auto minute = t.number(2);
  if (!minute) return std::nullopt;
  int second = 0;
  if (t.consume(':')) {
    auto s = t.number(2);
    if (!s) return std::nullopt;
    second = *s;
  }
  int month = 0;
  for (std::size_t m = 0; m < months.size(); ++m)
    if (iequals(month_name, months[m])) month = static_cast<int>(m) + 1;
  if (month == 0) return std::nullopt;
  int y = *year;
  if (y < 50) y += 2000;         // RFC 5322 §4.3: two digits below 50 are 20xx
  else if (y < 1000) y += 1900;  // the rest of the two and three digit years
  int zone = 0;                  // minutes east of UTC; an unknown zone is UTC (RFC 5322 §4.3)
  if (char c = t.peek(); c == '+' || c == '-') {
    t.consume(c);
    auto hhmm = t.number(4);
    if (!hhmm) return std::nullopt;
    zone = (*hhmm / 100) * 60 + *hhmm % 100;
    if (c == '-') zone = -zone;
  } else {
    std::string_view name = t.word();
    for (const auto& z : zone_names)
      if (iequals(name, z.name)) zone = z.minutes;
  }
  if (*day < 1 || *day > 31 || *hour > 23 || *minute > 59 || second > 60 || y > 9999) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&tm)) - static_cast<std::int64_t>(zone) * 60;
}

}  // namespace dirmail::imap
