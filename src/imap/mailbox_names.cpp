#include "dirmail/imap/mailbox_names.hpp"

#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/mailbox_name_codec.hpp"

namespace dirmail::imap {
namespace {

Error bad_name(std::string_view why) { return make_error(ErrorCode::invalid_argument, std::string(why)); }

}  // namespace

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

Status check_folder_name(std::string_view name) {
  if (name.empty()) return bad_name("Empty mailbox name");
  if (name.size() > max_mailbox_name) return bad_name("Mailbox name too long");
  if (name.front() == hierarchy_delimiter || name.back() == hierarchy_delimiter)
    return bad_name("Mailbox name may not start or end with '/'");
  if (name.find("..") != std::string_view::npos) return bad_name("Mailbox name may not contain \"..\"");
  std::size_t levels = 0;
  for (std::string_view level : split(name, hierarchy_delimiter)) {
    if (level.empty()) return bad_name("Mailbox name has an empty level");
    if (level == ".") return bad_name("Mailbox name may not have a level \".\"");
    if (++levels > max_mailbox_depth) return bad_name("Mailbox name has too many levels");
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f) return bad_name("Mailbox name may not contain control characters");
    if (c == '\\') return bad_name("Mailbox name may not contain '\\'");
    if (c == '*' || c == '%') return bad_name("Mailbox name may not contain '*' or '%'");
    // U+0080..U+009F (C1 controls) are C2 80..C2 9F in UTF-8.
    if (c == 0xc2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) < 0xa0)
      return bad_name("Mailbox name may not contain control characters");
  }
  return ok_status();
}

Result<std::string> folder_name_from_client(std::string_view wire) {
  auto decoded = decode_mailbox_name(wire);
  if (!decoded) return bad_name("Mailbox name is not valid modified UTF-7 (RFC 3501 5.1.3)");
  std::string name = std::move(*decoded);
  // "inbox" and "Inbox/Sub" are INBOX and INBOX/Sub.
  const std::size_t first = name.find(hierarchy_delimiter);
  if (is_inbox(std::string_view(name).substr(0, first))) name.replace(0, 5, "INBOX");
  DIRMAIL_TRY(check_folder_name(name));
  return name;
}

std::string_view special_use_attribute(std::string_view folder) {
  for (const auto& f : special_use_folders)
    if (f.name == folder) return f.attribute;
  return {};
}

}  // namespace dirmail::imap
