#include "dirmail/imap/flag_list.hpp"

#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {

std::string format_flag_list(std::uint8_t flags) {
  static constexpr std::pair<std::uint8_t, const char*> names[] = {
      {store::flag_answered, "\\Answered"}, {store::flag_flagged, "\\Flagged"}, {store::flag_deleted, "\\Deleted"},
      {store::flag_seen, "\\Seen"},         {store::flag_draft, "\\Draft"},
  };
  std::string out = "(";
  for (const auto& [bit, name] : names) {
    if ((flags & bit) == 0) continue;
    if (out.size() > 1) out.push_back(' ');
    out.append(name);
  }
  out.push_back(')');
  return out;
}

}  // namespace dirmail::imap
