#pragma once
// The original's alias settings: one alias address maps to one real address, read
// from aliases.file or aliases.entries. One entry per line:
//
//   ALIAS REAL[,0|,1]        info@def.example  def-info@def.example,1
//
// `*` may stand for the whole local part ("*@def.example"): alone on the left it
// catches every address of the domain that is no account; on both sides it carries the
// local part over ("*@def.example *@abc.example"). Both sides need a domain (the
// original refuses a domain-less alias as relay). The suffix says what recipient the
// delivered message shows (Delivered-To): ,1 the real address, ,0 the alias; without
// it the alias stays within one domain and the real address shows across domains.
// Lines starting with '#' and empty lines are ignored.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::features {

inline constexpr std::size_t max_alias_file_bytes = 4 * 1024 * 1024;
inline constexpr std::size_t max_alias_entries = 100000;
inline constexpr std::size_t max_alias_line = 1000;

enum class RecipientShown {
  by_domain,  // no suffix: the alias within one domain, the real address across domains
  alias,      // ,0
  real,       // ,1
};

// What an alias resolves to.
struct AliasMatch {
  std::string target;        // the real address (wildcard already substituted), lower case
  RecipientShown shown = RecipientShown::by_domain;
  std::size_t line = 0;      // where the entry is, for logs
};

// Whether a delivery through alias -> target shows the real address as its recipient.
bool shows_real_address(std::string_view alias, std::string_view target, RecipientShown shown);

class AliasTable {
 public:
  // Parses the alias lines; errors name "SOURCE:LINE: reason".
  static Result<AliasTable> parse(std::string_view text, std::string_view source);
  // Each list entry is one line (aliases.entries).
  static Result<AliasTable> parse_list(const std::vector<std::string>& lines, std::string_view source);

  // The entry for exactly this address (any case).
  std::optional<AliasMatch> find_exact(std::string_view address) const;
  // The "*@domain" entry of the address's domain.
  std::optional<AliasMatch> find_wildcard(std::string_view address) const;

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string alias;   // "local@domain" or "*@domain", lower case
    std::string target;  // "local@domain" or "*@domain", lower case
    RecipientShown shown = RecipientShown::by_domain;
    std::size_t line = 0;
  };
  Status add_line(std::string_view line, std::size_t number, std::string_view source);
  std::optional<AliasMatch> match(const Entry& e, std::string_view local) const;
  std::vector<Entry> entries_;  // sorted by alias
};

}  // namespace dirmail::features
