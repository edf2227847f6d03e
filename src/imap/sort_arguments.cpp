// SORT and THREAD arguments (RFC 5256 §3): "(REVERSE DATE SUBJECT) UTF-8 keys..." and
// "REFERENCES UTF-8 keys...". The charset is mandatory; the search keys follow as for SEARCH.
#include <array>

#include "argument_parsers.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::imap {
namespace {

struct NamedKey {
  std::string_view name;
  SortCriterion::Key key;
};

constexpr std::array<NamedKey, 7> sort_keys{{
    {"ARRIVAL", SortCriterion::Key::arrival}, {"CC", SortCriterion::Key::cc},
    {"DATE", SortCriterion::Key::date},       {"FROM", SortCriterion::Key::from},
    {"SIZE", SortCriterion::Key::size},       {"SUBJECT", SortCriterion::Key::subject},
    {"TO", SortCriterion::Key::to},
}};

// The charset (upper case) and the search keys after it.
Status parse_charset_and_keys(ArgCursor& in, ImapCommand& cmd) {
  DIRMAIL_TRY(in.space());
  auto charset = in.astring();
  if (!charset) return std::move(charset).error();
  if (charset->empty()) return syntax_error("Empty charset");
  for (char c : *charset) cmd.charset.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
  auto key = parse_search_criteria(in, cmd.charset);
  if (!key) return std::move(key).error();
  cmd.search = std::move(*key);
  return ok_status();
}

}  // namespace

Status parse_sort_arguments(ArgCursor& in, ImapCommand& cmd) {
  DIRMAIL_TRY(in.space());
  DIRMAIL_TRY(in.expect('(', "Expected a list of sort criteria"));
  bool reverse = false;
  for (;;) {
    auto word = in.atom();
    if (!word) return std::move(word).error();
    if (iequals(*word, "REVERSE")) {
      if (reverse) return syntax_error("REVERSE twice");
      reverse = true;
      DIRMAIL_TRY(in.space());
      continue;
    }
    bool found = false;
    for (const auto& k : sort_keys)
      if (iequals(*word, k.name)) {
        if (cmd.sort.size() >= max_sort_criteria) return make_error(ErrorCode::limit_exceeded, "Too many sort criteria");
        cmd.sort.push_back({k.key, reverse});
        found = true;
      }
    if (!found) return syntax_error("Unknown sort criterion");
    reverse = false;
    if (in.consume(')')) break;
    DIRMAIL_TRY(in.space());
  }
  return parse_charset_and_keys(in, cmd);
}

Status parse_thread_arguments(ArgCursor& in, ImapCommand& cmd) {
  DIRMAIL_TRY(in.space());
  auto word = in.atom();
  if (!word) return std::move(word).error();
  if (iequals(*word, "ORDEREDSUBJECT")) cmd.thread = ThreadAlgorithm::ordered_subject;
  else if (iequals(*word, "REFERENCES")) cmd.thread = ThreadAlgorithm::references;
  else return syntax_error("Unknown thread algorithm");
  return parse_charset_and_keys(in, cmd);
}

}  // namespace dirmail::imap
