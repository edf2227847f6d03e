// Fuzzes LIST/LSUB matching (mailbox_names.hpp). Input: reference, pattern and
// mailbox name, LF-separated. list_pattern_matches must agree with a plain
// backtracking matcher ('*' anything, '%' anything but '/'), with INBOX compared in
// any case; is_inbox is INBOX in any case.
#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/mailbox_names.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

class Matcher {
 public:
  Matcher(std::string_view pattern, std::string_view name)
      : p_(pattern), s_(name), memo_((pattern.size() + 1) * (name.size() + 1), -1) {}

  bool match(std::size_t i, std::size_t j) {
    signed char& m = memo_[i * (s_.size() + 1) + j];
    if (m >= 0) return m != 0;
    bool r;
    if (i == p_.size()) r = j == s_.size();
    else if (p_[i] == '*') r = match(i + 1, j) || (j < s_.size() && match(i, j + 1));
    else if (p_[i] == '%') r = match(i + 1, j) || (j < s_.size() && s_[j] != imap::hierarchy_delimiter && match(i, j + 1));
    else r = j < s_.size() && s_[j] == p_[i] && match(i + 1, j + 1);
    m = r ? 1 : 0;
    return r;
  }

 private:
  std::string_view p_, s_;
  std::vector<signed char> memo_;
};

bool model(std::string_view reference, std::string_view pattern, std::string_view name) {
  std::string full = std::string(reference) + std::string(pattern);
  std::string subject(name);
  if (iequals(name, "INBOX")) {
    full = to_lower(full);
    subject = "inbox";
  }
  return Matcher(full, subject).match(0, 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::string_view reference = fuzz::take_field(input, '\n');
  const std::string_view pattern = fuzz::take_field(input, '\n');
  const std::string_view name = input;

  FUZZ_CHECK(imap::is_inbox(name) == iequals(name, "INBOX"));
  const bool matches = imap::list_pattern_matches(reference, pattern, name);
  FUZZ_CHECK(matches == model(reference, pattern, name));

  // Plain facts that need no model.
  FUZZ_CHECK(imap::list_pattern_matches("", "*", name));
  FUZZ_CHECK(imap::list_pattern_matches("", "%", name) == (name.find(imap::hierarchy_delimiter) == std::string_view::npos));
  FUZZ_CHECK(imap::list_pattern_matches("", name, name) || name.find_first_of("*%") != std::string_view::npos);
  if (pattern.find_first_of("*%") == std::string_view::npos && reference.find_first_of("*%") == std::string_view::npos) {
    const std::string full = std::string(reference) + std::string(pattern);
    FUZZ_CHECK(matches == (full == name || (imap::is_inbox(name) && iequals(full, "INBOX"))));
  }
  return 0;
}
