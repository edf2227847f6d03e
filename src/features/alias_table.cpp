#include "dirmail/features/alias_table.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "dirmail/features/configured_address.hpp"

namespace dirmail::features {
namespace {

std::string_view domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
}

std::string_view local_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? address : address.substr(0, at);
}

// Why `address` cannot be one side of an alias, or empty when it can.
// The alias check, with the reason a domain-less alias is refused.
std::string address_problem(std::string_view address) {
  std::string why = configured_address_problem(address, true);
  if (why == "has no domain") why += " (a domain-less alias would be a relay)";
  return why;
}

}  // namespace

bool shows_real_address(std::string_view alias, std::string_view target, RecipientShown shown) {
  switch (shown) {
    case RecipientShown::alias: return false;
    case RecipientShown::real: return true;
    case RecipientShown::by_domain: break;
  }
  return !iequals(domain_of(alias), domain_of(target));
}

Status AliasTable::add_line(std::string_view line, std::size_t number, std::string_view source) {
  auto fail = [&](std::string_view why) {
    return make_error(ErrorCode::invalid_argument, fmt::format("{}:{}: {}", source, number, why));
  };
  if (line.size() > max_alias_line) return fail("line longer than 1000 characters");
  line = trim(line);
  if (line.empty() || line.front() == '#') return ok_status();
  std::vector<std::string_view> words;
  for (auto w : split(line, ' '))
    for (auto v : split(w, '\t'))
      if (!v.empty()) words.push_back(v);
  if (words.size() != 2) return fail("expected ALIAS REAL[,0|,1]");
  std::string_view alias = words[0];
  std::string_view target = words[1];
  RecipientShown shown = RecipientShown::by_domain;
  if (auto comma = target.find(','); comma != std::string_view::npos) {
    std::string_view suffix = target.substr(comma + 1);
    if (suffix == "0")
      shown = RecipientShown::alias;
    else if (suffix == "1")
      shown = RecipientShown::real;
    else
      return fail(fmt::format("unknown option ,{} (use ,0 to keep the alias or ,1 to show the real address)",
                              escape_control(suffix)));
    target = target.substr(0, comma);
  }
  if (auto why = address_problem(alias); !why.empty())
    return fail(fmt::format("alias {} {}", escape_control(alias), why));
  if (auto why = address_problem(target); !why.empty())
    return fail(fmt::format("real address {} {}", escape_control(target), why));
  if (local_of(target) == "*" && local_of(alias) != "*")
    return fail("the real address has * but the alias has none to carry over");
  if (iequals(alias, target)) return fail("the alias maps to itself");
  if (entries_.size() >= max_alias_entries) return fail("more than 100000 aliases");
  entries_.push_back({to_lower(alias), to_lower(target), shown, number});
  return ok_status();
}

Result<AliasTable> AliasTable::parse(std::string_view text, std::string_view source) {
  if (text.size() > max_alias_file_bytes) return make_error(ErrorCode::limit_exceeded, fmt::format("{}: larger than 4 MiB", source));
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto lf = text.find('\n', pos);
    std::string_view line = text.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    pos = lf == std::string_view::npos ? text.size() : lf + 1;
  }
  return parse_list(lines, source);
}

Result<AliasTable> AliasTable::parse_list(const std::vector<std::string>& lines, std::string_view source) {
  AliasTable table;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (auto st = table.add_line(lines[i], i + 1, source); !st) return std::move(st).error();
  std::stable_sort(table.entries_.begin(), table.entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.alias < b.alias; });
  for (std::size_t i = 1; i < table.entries_.size(); ++i) {
    if (table.entries_[i].alias == table.entries_[i - 1].alias)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{}:{}: alias {} is already defined on line {} (one alias, one real address)",
                                    source, table.entries_[i].line, table.entries_[i].alias,
                                    table.entries_[i - 1].line));
  }
  return table;
}

std::optional<AliasMatch> AliasTable::match(const Entry& e, std::string_view local) const {
  std::string target = e.target;
  if (local_of(target) == "*") target = std::string(local) + target.substr(1);
  return AliasMatch{std::move(target), e.shown, e.line};
}

std::optional<AliasMatch> AliasTable::find_exact(std::string_view address) const {
  std::string key = to_lower(address);
  if (local_of(key) == "*") return std::nullopt;  // "*@domain" is not an address
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const Entry& e, const std::string& k) { return e.alias < k; });
  if (it == entries_.end() || it->alias != key) return std::nullopt;
  return match(*it, local_of(key));
}

std::optional<AliasMatch> AliasTable::find_wildcard(std::string_view address) const {
  std::string key = to_lower(address);
  std::string_view domain = domain_of(key);
  if (domain.empty()) return std::nullopt;
  std::string wildcard = "*@" + std::string(domain);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), wildcard,
                             [](const Entry& e, const std::string& k) { return e.alias < k; });
  if (it == entries_.end() || it->alias != wildcard) return std::nullopt;
  return match(*it, local_of(key));
}

}  // namespace dirmail::features
