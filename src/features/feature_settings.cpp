#include "dirmail/features/feature_settings.hpp"

#include "dirmail/base/strings.hpp"
#include "dirmail/config/table_source.hpp"

namespace dirmail::features {

Result<std::shared_ptr<const AliasTable>> alias_table(const config::Settings& s) {
  auto source = config::table_source("aliases.file", s.aliases_file, "aliases.entries", s.aliases_entries,
                                     max_alias_file_bytes + 1);
  if (!source) return std::move(source).error();
  if (!*source) return std::make_shared<const AliasTable>();
  auto table = (*source)->from_file ? AliasTable::parse((*source)->text, (*source)->name)
                                    : AliasTable::parse_list(*(*source)->lines, (*source)->name);
  if (!table) return make_error(table.error().code, ((*source)->from_file ? "aliases.file: " : "") + table.error().message);
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
