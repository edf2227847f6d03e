#include "dirmail/imap/mailbox_names.hpp"

#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"

namespace dirmail::imap {

bool is_inbox(std::string_view name) { return iequals(name, "INBOX"); }

bool list_pattern_matches(std::string_view reference, std::string_view pattern, std::string_view name) {
  std::string full(reference);
  full.append(pattern);
  // INBOX matches case-insensitively: compare against a pattern with its case folded.
  std::string subject(name);
  if (is_inbox(name)) {
    full = to_lower(full);
    subject = "inbox";
  }
  // Dynamic programming over (pattern position, name position): linear in the pattern
  // for the short names we match, whatever the number of wildcards.
  const std::size_t n = subject.size();
  std::vector<char> row(n + 1, 0), next(n + 1, 0);
  row[0] = 1;
  for (char p : full) {
    std::fill(next.begin(), next.end(), 0);
    if (p == '*' || p == '%') {
      bool reach = false;
      for (std::size_t j = 0; j <= n; ++j) {
        if (row[j]) reach = true;
        next[j] = reach ? 1 : 0;
        if (p == '%' && j < n && subject[j] == hierarchy_delimiter) reach = row[j + 1] != 0;
      }
    } else {
      for (std::size_t j = 0; j < n; ++j)
        if (row[j] && subject[j] == p) next[j + 1] = 1;
    }
    row.swap(next);
  }
  return row[n] != 0;
}

}  // namespace dirmail::imap
