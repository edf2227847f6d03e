#include "dirmail/imap/imap_date.hpp"

#include <array>
#include <ctime>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::imap {
namespace {

constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

}  // namespace

std::string format_internal_date(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:2}-{}-{:04} {:02}:{:02}:{:02} +0000", tm.tm_mday, months[static_cast<std::size_t>(tm.tm_mon)],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::optional<std::int64_t> parse_search_date(std::string_view text) {
  auto parts = split(text, '-');
  if (parts.size() != 3) return std::nullopt;
  auto day = parse_decimal(parts[0], 2);
  auto year = parts[2].size() == 4 ? parse_decimal(parts[2], 4) : std::nullopt;
  unsigned month = 0;
  for (std::size_t i = 0; i < months.size(); ++i)
    if (iequals(parts[1], months[i])) month = static_cast<unsigned>(i + 1);
  if (!day || !year || month == 0 || *year < 1900) return std::nullopt;
  auto d = static_cast<unsigned>(*day);  // at most 2 digits
  auto y = static_cast<std::int64_t>(*year);  // exactly 4 digits
  if (d == 0 || d > days_in_month(y, month)) return std::nullopt;
  return days_from_civil(y, month, d);
}

std::optional<std::int64_t> parse_date_time(std::string_view text) {
  if (!text.empty() && text.front() == ' ') text.remove_prefix(1);  // date-day-fixed " 7"
  // date SP hh:mm:ss SP (+|-)hhmm
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto day = parse_search_date(text.substr(0, space));
  std::string_view rest = text.substr(space + 1);
  if (!day || rest.size() != 14 || rest[2] != ':' || rest[5] != ':' || rest[8] != ' ') return std::nullopt;
  auto hour = parse_decimal(rest.substr(0, 2), 2);
  auto minute = parse_decimal(rest.substr(3, 2), 2);
  auto second = parse_decimal(rest.substr(6, 2), 2);
  const char sign = rest[9];
  auto zone_hours = parse_decimal(rest.substr(10, 2), 2);
  auto zone_minutes = parse_decimal(rest.substr(12, 2), 2);
  if (!hour || !minute || !second || !zone_hours || !zone_minutes || (sign != '+' && sign != '-')) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 60 || *zone_minutes > 59)
    return std::nullopt;
  const auto offset = static_cast<std::int64_t>(*zone_hours * 3600 + *zone_minutes * 60);
  const std::int64_t local = *day * 86400 + static_cast<std::int64_t>(*hour * 3600 + *minute * 60 + *second);
  const std::int64_t utc = sign == '+' ? local - offset : local + offset;
  // In UTC too within the years SEARCH dates allow, so INTERNALDATE can write it back.
  constexpr std::int64_t first = -2208988800;     // 1900-01-01 00:00:00
  constexpr std::int64_t last = 253402300799;     // 9999-12-31 23:59:59
  if (utc < first || utc > last) return std::nullopt;
  return utc;
}

std::int64_t day_of(std::int64_t unix_seconds) {
  std::int64_t d = unix_seconds / 86400;
  if (unix_seconds % 86400 < 0) --d;  // floor for dates before 1970
  return d;
}

}  // namespace dirmail::imap
