// Fuzzes the alias file parser (features::AliasTable::parse) and its lookups.
//
// Checks: errors are invalid_argument/limit_exceeded and start with "aliases:LINE: "
// for a line that exists (or name the file for the size limit); every parsed entry is
// found again by its own alias; lookups never return an empty target, a target
// without '@' or one that still holds '*'; lookups do not care about case.
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/features/alias_table.hpp"
#include "fuzz_check.hpp"

using namespace dirmail;
using namespace dirmail::features;

namespace {

void check_match(const std::optional<AliasMatch>& m) {
  if (!m) return;
  FUZZ_CHECK(!m->target.empty());
  FUZZ_CHECK(m->target.find('@') != std::string::npos);
  FUZZ_CHECK(m->target.find('*') == std::string::npos);
  FUZZ_CHECK(m->line >= 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_view(data, size);
  auto table = AliasTable::parse(text, "aliases");
  if (!table) {
    FUZZ_CHECK(table.error().code == ErrorCode::invalid_argument || table.error().code == ErrorCode::limit_exceeded);
    FUZZ_CHECK(table.error().message.starts_with("aliases"));
    return 0;
  }
  FUZZ_CHECK(table->size() <= max_alias_entries);
  // Each non-comment line's first word is an alias the table finds.
  std::size_t lines = 0;
  for (auto line : split(text, '\n')) {
    ++lines;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    auto space = line.find_first_of(" \t");
    std::string alias(line.substr(0, space));
    auto exact = table->find_exact(alias);
    auto upper = table->find_exact(to_lower(alias) == alias ? alias : to_lower(alias));
    check_match(exact);
    check_match(upper);
    if (alias.starts_with("*@")) {
      auto w = table->find_wildcard("someone" + alias.substr(1));
      FUZZ_CHECK(w.has_value());
      check_match(w);
    } else {
      FUZZ_CHECK(exact.has_value());
      FUZZ_CHECK(exact->line <= lines);
    }
  }
  return 0;
}
