// Fuzzes SEARCH's date (imap_date.hpp parse_search_date). Input: the date text.
// Accepted exactly when it is "d-Mon-yyyy" with a real calendar day in 1900-9999 (a
// model decides); the day number it gives is the same day for the C library
// (format_internal_date, gmtime) and for day_of, and formats back to the input.
#include <array>
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/imap_date.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::int64_t first_day = -25567;   // 1900-01-01
constexpr std::int64_t last_day = 2932896;   // 9999-12-31

struct Date {
  unsigned day = 0, month = 0, year = 0;
};

std::optional<unsigned> digits(std::string_view s, std::size_t min, std::size_t max) {
  if (s.size() < min || s.size() > max) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

// RFC 3501: date-text = date-day "-" date-month "-" date-year, in a real calendar.
std::optional<Date> model(std::string_view text) {
  auto parts = split(text, '-');
  if (parts.size() != 3) return std::nullopt;
  auto day = digits(parts[0], 1, 2);
  auto year = digits(parts[2], 4, 4);
  Date d;
  for (unsigned m = 0; m < 12; ++m)
    if (iequals(parts[1], month_names[m])) d.month = m + 1;
  if (!day || !year || d.month == 0 || *year < 1900) return std::nullopt;
  d.day = *day;
  d.year = *year;
  bool leap = d.year % 4 == 0 && (d.year % 100 != 0 || d.year % 400 == 0);
  unsigned length = d.month == 2 ? (leap ? 29 : 28) : (d.month == 4 || d.month == 6 || d.month == 9 || d.month == 11) ? 30 : 31;
  if (d.day < 1 || d.day > length) return std::nullopt;
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_view(data, size);
  auto day = imap::parse_search_date(text);
  auto expected = model(text);
  FUZZ_CHECK(day.has_value() == expected.has_value());
  if (!day) return 0;
  FUZZ_CHECK(*day >= first_day && *day <= last_day);

  // The C library agrees on which day that is.
  const std::string formatted = imap::format_internal_date(*day * 86400);
  FUZZ_CHECK(formatted.size() == 26);
  const std::string_view date_part = trim(std::string_view(formatted).substr(0, 11));
  FUZZ_CHECK(formatted.substr(11) == " 00:00:00 +0000");
  auto parts = split(date_part, '-');
  FUZZ_CHECK(parts.size() == 3);
  FUZZ_CHECK(digits(parts[0], 1, 2) == expected->day);
  FUZZ_CHECK(parts[1] == month_names[expected->month - 1]);
  FUZZ_CHECK(digits(parts[2], 4, 4) == expected->year);

  // Every second of the day falls on it, and the formatted date reads back the same.
  FUZZ_CHECK(imap::day_of(*day * 86400) == *day);
  FUZZ_CHECK(imap::day_of(*day * 86400 + 86399) == *day);
  FUZZ_CHECK(imap::day_of(*day * 86400 - 1) == *day - 1);
  FUZZ_CHECK(imap::parse_search_date(date_part) == day);
  return 0;
}
