#include "dirmail/features/feature_settings.hpp"

#include <fcntl.h>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::features {

Result<std::shared_ptr<const AliasTable>> alias_table(const config::Settings& s) {
  if (!s.aliases_file.empty() && !s.aliases_entries.empty())
    return make_error(ErrorCode::invalid_argument, "aliases.file and aliases.entries are both set: use one of them");
  if (!s.aliases_entries.empty()) {
    auto table = AliasTable::parse_list(s.aliases_entries, "aliases.entries");
    if (!table) return std::move(table).error();
    return std::make_shared<const AliasTable>(std::move(*table));
  }
  if (s.aliases_file.empty()) return std::make_shared<const AliasTable>();
  const std::string& path = s.aliases_file;
  auto fd = posix::open_file(path, O_RDONLY | O_NONBLOCK);
  if (!fd) return make_error(fd.error().code, "aliases.file: " + fd.error().message);
  auto text = posix::pread_up_to(fd->get(), 0, max_alias_file_bytes + 1, path);
  if (!text) return make_error(text.error().code, "aliases.file: " + text.error().message);
  auto table = AliasTable::parse(*text, path);
  if (!table) return make_error(table.error().code, "aliases.file: " + table.error().message);
  return std::make_shared<const AliasTable>(std::move(*table));
}

Result<std::shared_ptr<const JournalRule>> journal_rule(const config::Settings& s) {
  auto rule = JournalRule::make(s.journal_addresses, s.journal_match);
  if (!rule) return std::move(rule).error();
  return std::make_shared<const JournalRule>(std::move(*rule));
}

std::string admin_address(const config::Settings& s, std::string_view hostname) {
  std::string a = to_lower(trim(s.delivery_admin_address));
  if (a.empty()) return a;
  if (a.find('@') == std::string::npos) a += "@" + to_lower(hostname);
  return a;
}

std::vector<std::string> check_feature_settings(const config::Settings& s) {
  std::vector<std::string> problems;
  if (auto t = alias_table(s); !t) problems.push_back(t.error().message);
  if (auto j = journal_rule(s); !j) problems.push_back(j.error().message);
  return problems;
}

}  // namespace dirmail::features
