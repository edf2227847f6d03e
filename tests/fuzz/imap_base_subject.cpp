// Fuzzes RFC 5256 base subject extraction (base_subject.hpp). Input: a Subject value.
// The base subject is never longer than the input, has no tab, line break, leading or
// trailing space or double space, is its own base subject, and the sort key is its
// upper case.
#include <string>

#include "dirmail/imap/base_subject.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  const std::string_view text = fuzz::as_view(data, size);
  const imap::BaseSubject base = imap::base_subject(text);
  const std::string& s = base.text;
  FUZZ_CHECK(s.size() <= text.size());
  FUZZ_CHECK(s.find_first_of("\t\r\n") == std::string::npos);
  FUZZ_CHECK(s.find("  ") == std::string::npos);
  FUZZ_CHECK(s.empty() || (s.front() != ' ' && s.back() != ' '));
  FUZZ_CHECK(imap::base_subject(s).text == s);
  std::string upper = s;
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  FUZZ_CHECK(imap::subject_sort_key(text) == upper);
  return 0;
}
