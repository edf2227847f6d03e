#include "dirmail/imap/flag_list.hpp"

#include <string_view>

#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {

std::string format_flag_list(std::uint8_t flags) { return format_flag_list(flags, false, 0, {}); }

std::string format_flag_list(std::uint8_t flags, bool recent, std::uint64_t keywords,
                             std::span<const std::string> keyword_names) {
  static constexpr std::pair<std::uint8_t, std::string_view> names[] = {
      {store::flag_answered, "\\Answered"}, {store::flag_flagged, "\\Flagged"}, {store::flag_deleted, "\\Deleted"},
      {store::flag_seen, "\\Seen"},         {store::flag_draft, "\\Draft"},
  };
  std::string out = "(";
  auto add = [&out](std::string_view name) {
    if (out.size() > 1) out.push_back(' ');
    out.append(name);
  };
  for (const auto& [bit, name] : names)
    if ((flags & bit) != 0) add(name);
  if (recent) add("\\Recent");
  for (std::size_t i = 0; i < keyword_names.size() && i < 64; ++i)
    if ((keywords & (std::uint64_t{1} << i)) != 0) add(keyword_names[i]);  // atoms (store::valid_keyword)
  out.push_back(')');
  return out;
}

std::string format_folder_flags(std::span<const std::string> keyword_names, bool new_keywords) {
  std::string out(all_flags_list);
  out.pop_back();
  for (const auto& name : keyword_names) {
    out.push_back(' ');
    out.append(name);
  }
  if (new_keywords) out.append(" \\*");
  out.push_back(')');
  return out;
}

}  // namespace dirmail::imap
