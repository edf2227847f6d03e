// Fuzzes the LDAP generalized time parser of the keytab doctor (keytab_check.hpp
// parse_generalized_time: AD's rootDSE currentTime). Input: the time text. Nothing
// past max_generalized_time is accepted; an accepted UTC time ("...Z", seconds below
// 60) is the same instant for the C library (gmtime gives back its digits).
#include <cstdio>
#include <ctime>
#include <string>

#include "dirmail/auth/keytab_check.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = dirmail::fuzz::as_view(data, size);
  auto t = dirmail::auth::parse_generalized_time(text);
  if (size > dirmail::auth::max_generalized_time) FUZZ_CHECK(!t);
  if (!t) return 0;
  FUZZ_CHECK(text.size() >= 13);
  if (text.back() != 'Z' || text.size() < 14 || text[12] > '5') return 0;
  if (text[12] < '0' || text[13] < '0' || text[13] > '9') return 0;
  std::time_t seconds = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  FUZZ_CHECK(gmtime_r(&seconds, &tm) != nullptr);
  char digits[32];
  std::snprintf(digits, sizeof digits, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  FUZZ_CHECK(text.substr(0, 14) == digits);
  return 0;
}
