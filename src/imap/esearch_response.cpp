// ESEARCH (RFC 4731): the RETURN options' parser and the "* ESEARCH" reply.
#include "dirmail/imap/esearch_response.hpp"

#include <fmt/format.h>

#include "argument_parsers.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/imap/imap_string.hpp"

namespace dirmail::imap {

std::string compact_sequence_set(std::span<const std::uint32_t> ascending) {
  std::string out;
  for (std::size_t i = 0; i < ascending.size();) {
    std::size_t j = i;
    while (j + 1 < ascending.size() && ascending[j + 1] == ascending[j] + 1) ++j;
    if (!out.empty()) out.push_back(',');
    out += j == i ? fmt::format("{}", ascending[i]) : fmt::format("{}:{}", ascending[i], ascending[j]);
    i = j + 1;
  }
  return out;
}

std::string format_esearch(std::string_view tag, bool uid, std::span<const std::uint32_t> matches,
                           const SearchReturn& options) {
  std::string out = "* ESEARCH (TAG ";
  append_string(out, tag);
  out.push_back(')');
  if (uid) out += " UID";
  if (!matches.empty()) {
    if (options.min) out += fmt::format(" MIN {}", matches.front());
    if (options.max) out += fmt::format(" MAX {}", matches.back());
    if (options.all) out += " ALL " + compact_sequence_set(matches);
  }
  if (options.count) out += fmt::format(" COUNT {}", matches.size());
  return out;
}

Status parse_search_return(ArgCursor& in, std::optional<SearchReturn>& out) {
  ArgCursor probe = in;
  if (!probe.consume(' ')) return ok_status();
  auto word = probe.atom();
  if (!word || !iequals(*word, "RETURN")) return ok_status();
  in = probe;
  DIRMAIL_TRY(in.space());
  DIRMAIL_TRY(in.expect('(', "Expected a list of return options"));
  SearchReturn r;
  bool any = false;
  while (!in.consume(')')) {
    if (any) DIRMAIL_TRY(in.space());
    auto option = in.atom();
    if (!option) return std::move(option).error();
    if (iequals(*option, "MIN")) r.min = true;
    else if (iequals(*option, "MAX")) r.max = true;
    else if (iequals(*option, "ALL")) r.all = true;
    else if (iequals(*option, "COUNT")) r.count = true;
    else return syntax_error("Unknown search return option");
    any = true;
  }
  if (!any) r.all = true;
  out = r;
  return ok_status();
}

}  // namespace dirmail::imap
