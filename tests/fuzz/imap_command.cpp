// Fuzzes IMAP command parsing (command.hpp): parse_imap_command with its FETCH item,
// SEARCH key (with ESEARCH's RETURN, and under SORT and THREAD), STORE, LIST (RFC 5258)
// and APPEND grammars, plus command_tag,
// command_word, trailing_literal and is_append_message_literal.
// Input: one command as the session hands it over, literals inline:
//   a1 LOGIN {5}\r\nalice "secret"
// A parsed command respects every limit of command.hpp, fetch_item.hpp and
// search_key.hpp, holds what its name calls for (argument counts, valid sequence
// sets, sections, a bounded search tree), and round-trips: written back the way a
// client would write it (format_command below), it parses to the same command.
#include <array>
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/command.hpp"
#include "dirmail/imap/flag_list.hpp"
#include "dirmail/imap/imap_date.hpp"
#include "dirmail/imap/imap_string.hpp"
#include "dirmail/store/mail_store.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using namespace dirmail::imap;
using Kind = SearchKey::Kind;

constexpr std::array<std::pair<std::string_view, CommandName>, 35> command_names{{
    {"CAPABILITY", CommandName::capability}, {"NOOP", CommandName::noop},
    {"LOGOUT", CommandName::logout},         {"ID", CommandName::id},
    {"STARTTLS", CommandName::starttls},     {"LOGIN", CommandName::login},
    {"AUTHENTICATE", CommandName::authenticate}, {"SELECT", CommandName::select},
    {"EXAMINE", CommandName::examine},       {"CREATE", CommandName::create},
    {"DELETE", CommandName::delete_mailbox}, {"RENAME", CommandName::rename},
    {"SUBSCRIBE", CommandName::subscribe},   {"UNSUBSCRIBE", CommandName::unsubscribe},
    {"LIST", CommandName::list},             {"LSUB", CommandName::lsub},
    {"STATUS", CommandName::status},         {"APPEND", CommandName::append},
    {"NAMESPACE", CommandName::namespace_},  {"CHECK", CommandName::check},
    {"CLOSE", CommandName::close},           {"UNSELECT", CommandName::unselect},
    {"EXPUNGE", CommandName::expunge},       {"SEARCH", CommandName::search},
    {"FETCH", CommandName::fetch},           {"STORE", CommandName::store},
    {"COPY", CommandName::copy},             {"MOVE", CommandName::move},
    {"IDLE", CommandName::idle},             {"ENABLE", CommandName::enable},
    {"GETQUOTA", CommandName::getquota},     {"GETQUOTAROOT", CommandName::getquotaroot},
    {"SETQUOTA", CommandName::setquota},
    {"SORT", CommandName::sort},             {"THREAD", CommandName::thread},
}};

constexpr std::array<std::pair<std::string_view, Kind>, 14> simple_keys{{
    {"ALL", Kind::all},           {"ANSWERED", Kind::answered},     {"DELETED", Kind::deleted},
    {"DRAFT", Kind::draft},       {"FLAGGED", Kind::flagged},       {"SEEN", Kind::seen},
    {"RECENT", Kind::recent},     {"NEW", Kind::new_},              {"OLD", Kind::old},
    {"UNANSWERED", Kind::unanswered}, {"UNDELETED", Kind::undeleted}, {"UNDRAFT", Kind::undraft},
    {"UNFLAGGED", Kind::unflagged}, {"UNSEEN", Kind::unseen},
}};

constexpr std::array<std::pair<std::string_view, FetchKind>, 11> plain_items{{
    {"UID", FetchKind::uid},
    {"FLAGS", FetchKind::flags},
    {"INTERNALDATE", FetchKind::internal_date},
    {"RFC822.SIZE", FetchKind::rfc822_size},
    {"ENVELOPE", FetchKind::envelope},
    {"BODYSTRUCTURE", FetchKind::body_structure},
    {"BODY", FetchKind::body},
    {"RFC822", FetchKind::rfc822},
    {"RFC822.HEADER", FetchKind::rfc822_header},
    {"RFC822.TEXT", FetchKind::rfc822_text},
    {"MODSEQ", FetchKind::modseq},
}};

constexpr std::uint8_t all_flags =
    store::flag_seen | store::flag_answered | store::flag_flagged | store::flag_deleted | store::flag_draft;
constexpr std::int64_t first_search_day = -25567;  // 1900-01-01
constexpr std::int64_t last_search_day = 2932896;  // 9999-12-31

std::string_view command_name(CommandName name) {
  for (const auto& [text, n] : command_names)
    if (n == name) return text;
  FUZZ_CHECK(false);
  return {};
}

bool no_nul(std::string_view s) { return s.find('\0') == std::string_view::npos; }

// ---- Writing a parsed command back as a client would ----------------------------

std::string astring(std::string_view s) {
  std::string out;
  append_astring(out, s);
  return out;
}

std::string string(std::string_view s) {
  std::string out;
  append_string(out, s);
  return out;
}

std::string format_set(const SequenceSet& set) {
  std::string out;
  auto number = [](std::uint32_t n) { return n == sequence_star ? std::string("*") : std::to_string(n); };
  for (const auto& r : set.ranges) {
    if (!out.empty()) out += ',';
    out += number(r.first);
    if (r.last != r.first) out += ':' + number(r.last);
  }
  return out;
}

std::string format_day(std::int64_t day) {
  const std::string full = format_internal_date(day * 86400);  // " 1-Feb-1994 00:00:00 +0000"
  return std::string(trim(std::string_view(full).substr(0, 11)));
}

std::string format_key(const SearchKey& k) {
  for (const auto& [name, kind] : simple_keys)
    if (kind == k.kind) return std::string(name);
  switch (k.kind) {
    case Kind::modseq: return "MODSEQ " + std::to_string(k.number);
    case Kind::keyword: return "KEYWORD " + k.name;
    case Kind::unkeyword: return "UNKEYWORD " + k.name;
    case Kind::larger: return "LARGER " + std::to_string(k.number);
    case Kind::smaller: return "SMALLER " + std::to_string(k.number);
    case Kind::before: return "BEFORE " + format_day(k.number);
    case Kind::on: return "ON " + format_day(k.number);
    case Kind::since: return "SINCE " + format_day(k.number);
    case Kind::sequence: return format_set(k.set);
    case Kind::uid: return "UID " + format_set(k.set);
    case Kind::not_: return "NOT " + format_key(k.children.at(0));
    case Kind::or_: return "OR " + format_key(k.children.at(0)) + " " + format_key(k.children.at(1));
    case Kind::and_: {
      std::string out = "(";
      for (const auto& c : k.children) out += (out.size() > 1 ? " " : "") + format_key(c);
      return out + ")";
    }
    case Kind::sent_before: return "SENTBEFORE " + format_day(k.number);
    case Kind::sent_on: return "SENTON " + format_day(k.number);
    case Kind::sent_since: return "SENTSINCE " + format_day(k.number);
    case Kind::header: return "HEADER " + astring(k.name) + " " + astring(k.value);
    case Kind::body: return "BODY " + astring(k.value);
    case Kind::text: return "TEXT " + astring(k.value);
    default: break;
  }
  FUZZ_CHECK(false);
  return {};
}

std::string_view section_text_name(SectionText t) {
  switch (t) {
    case SectionText::full: return "";
    case SectionText::header: return "HEADER";
    case SectionText::header_fields: return "HEADER.FIELDS";
    case SectionText::header_fields_not: return "HEADER.FIELDS.NOT";
    case SectionText::text: return "TEXT";
    case SectionText::mime: return "MIME";
  }
  return "";
}

// "1.2.HEADER.FIELDS (From To)": the section as the client writes it (`quote` each
// field name as an astring) or as the response names it (the names bare).
std::string format_section(const FetchSection& s, bool quote) {
  std::string out;
  for (std::size_t i = 0; i < s.part.size(); ++i) out += (i ? "." : "") + std::to_string(s.part[i]);
  const auto text = section_text_name(s.text);
  if (!text.empty()) out += std::string(s.part.empty() ? "" : ".") + std::string(text);
  if (!s.fields.empty()) {
    out += " (";
    for (std::size_t i = 0; i < s.fields.size(); ++i) out += (i ? " " : "") + (quote ? astring(s.fields[i]) : s.fields[i]);
    out += ")";
  }
  return out;
}

std::string format_item(const FetchItem& item) {
  if (item.kind != FetchKind::section) {
    for (const auto& [name, kind] : plain_items)
      if (kind == item.kind) return std::string(name);
  }
  std::string out = item.peek ? "BODY.PEEK[" : "BODY[";
  out += format_section(item.section, true) + "]";
  if (item.partial) out += "<" + std::to_string(item.partial->first) + "." + std::to_string(item.partial->second) + ">";
  return out;
}

// LIST's options as the client writes them: RFC 5258 syntax whenever it was used.
std::string format_list(const ImapCommand& c) {
  const ListOptions& o = c.list;
  std::string out;
  if (o.extended) {
    std::vector<std::string_view> selection;
    if (o.select_subscribed) selection.push_back("SUBSCRIBED");
    if (o.select_special_use) selection.push_back("SPECIAL-USE");
    if (o.recursive_match) selection.push_back("RECURSIVEMATCH");
    out += " (";
    for (std::size_t i = 0; i < selection.size(); ++i) out += (i ? " " : "") + std::string(selection[i]);
    out += ")";
  }
  out += " " + astring(c.args.at(0)) + " ";
  if (c.args.size() > 2) {
    out += "(";
    for (std::size_t i = 1; i < c.args.size(); ++i) out += (i > 1 ? " " : "") + string(c.args[i]);
    out += ")";
  } else {
    out += string(c.args.at(1));
  }
  std::vector<std::string_view> returned;
  if (o.return_subscribed) returned.push_back("SUBSCRIBED");
  if (o.return_children) returned.push_back("CHILDREN");
  if (o.return_special_use) returned.push_back("SPECIAL-USE");
  if (!returned.empty()) {
    out += " RETURN (";
    for (std::size_t i = 0; i < returned.size(); ++i) out += (i ? " " : "") + std::string(returned[i]);
    out += ")";
  }
  return out;
}

// A flag list with the keywords after the system flags.
std::string format_flags(std::uint8_t system, const std::vector<std::string>& keywords) {
  std::string flags = format_flag_list(system);
  flags.pop_back();
  for (const auto& k : keywords) flags += (flags.size() > 1 ? " " : "") + k;
  return flags + ")";
}

// RFC 7162 SELECT parameters as the client writes them.
std::string format_select(const SelectParameters& p) {
  std::vector<std::string> params;
  if (p.condstore) params.push_back("CONDSTORE");
  if (p.qresync) {
    std::string q = "QRESYNC (" + std::to_string(p.uidvalidity) + " " + std::to_string(p.modseq);
    if (p.known_uids) q += " " + format_set(*p.known_uids);
    if (p.known_sequence) q += " (" + format_set(*p.known_sequence) + " " + format_set(*p.known_sequence_uids) + ")";
    params.push_back(q + ")");
  }
  if (params.empty()) return "";
  std::string out = " (";
  for (std::size_t i = 0; i < params.size(); ++i) out += (i ? " " : "") + params[i];
  return out + ")";
}

std::string format_append(const ImapCommand& c, std::string_view text) {
  const AppendArguments& a = c.append;
  std::string out = " " + astring(c.args.at(0));
  if (a.flags != 0 || !a.keywords.empty()) out += " " + format_flags(a.flags, a.keywords);
  if (a.internal_date) out += " \"" + format_internal_date(*a.internal_date) + "\"";
  out += " {" + std::to_string(a.message_size) + "}\r\n";
  out += text.substr(a.message_offset, a.message_size);
  return out;
}

std::string format_command(const ImapCommand& c, std::string_view text) {
  std::string out = c.tag + (c.uid ? " UID " : " ") + std::string(command_name(c.name));
  switch (c.name) {
    case CommandName::select: case CommandName::examine:
      out += " " + astring(c.args.at(0)) + format_select(c.select);
      break;
    case CommandName::login: case CommandName::rename: case CommandName::create:
    case CommandName::delete_mailbox: case CommandName::subscribe: case CommandName::unsubscribe:
    case CommandName::getquota: case CommandName::getquotaroot:
      for (const auto& a : c.args) out += " " + astring(a);
      break;
    case CommandName::setquota:  // the limits are checked, not kept
      out += " " + astring(c.args.at(0)) + " ()";
      break;
    case CommandName::enable:
      for (const auto& a : c.args) out += " " + a;  // atoms
      break;
    case CommandName::append:
      out += format_append(c, text);
      break;
    case CommandName::authenticate:
      for (const auto& a : c.args) out += " " + a;  // atoms
      break;
    case CommandName::list:
      out += format_list(c);
      break;
    case CommandName::lsub:
      out += " " + astring(c.args.at(0)) + " " + string(c.args.at(1));
      break;
    case CommandName::status:
      out += " " + astring(c.args.at(0)) + " (";
      for (std::size_t i = 0; i < c.status_items.size(); ++i) out += (i ? " " : "") + c.status_items[i];
      out += ")";
      break;
    case CommandName::id:
      if (c.args.empty()) {
        out += " NIL";
        break;
      }
      out += " (";
      for (std::size_t i = 0; i < c.args.size(); ++i) out += (i ? " " : "") + string(c.args[i]);
      out += ")";
      break;
    case CommandName::expunge:
      if (c.uid) out += " " + format_set(c.sequence);
      break;
    case CommandName::fetch:
      out += " " + format_set(c.sequence) + " (";
      for (std::size_t i = 0; i < c.fetch.size(); ++i) out += (i ? " " : "") + format_item(c.fetch[i]);
      out += ")";
      if (c.fetch_modifiers.changed_since)
        out += " (CHANGEDSINCE " + std::to_string(*c.fetch_modifiers.changed_since) +
               (c.fetch_modifiers.vanished ? " VANISHED)" : ")");
      break;
    case CommandName::store: {
      out += " " + format_set(c.sequence) + " ";
      if (c.store.unchanged_since) out += "(UNCHANGEDSINCE " + std::to_string(*c.store.unchanged_since) + ") ";
      if (c.store.mode == StoreAction::Mode::add) out += "+";
      if (c.store.mode == StoreAction::Mode::remove) out += "-";
      out += c.store.silent ? "FLAGS.SILENT " : "FLAGS ";
      out += format_flags(c.store.flags, c.store.keywords);
      break;
    }
    case CommandName::copy: case CommandName::move:
      out += " " + format_set(c.sequence) + " " + astring(c.args.at(0));
      break;
    case CommandName::search:
      if (c.search_return) {
        const SearchReturn& r = *c.search_return;
        out += std::string(" RETURN (") + (r.min ? " MIN" : "") + (r.max ? " MAX" : "") + (r.all ? " ALL" : "") +
               (r.count ? " COUNT" : "") + ")";
        out.erase(out.find("RETURN (") + 8, 1);  // the first option's space
      }
      if (!c.charset.empty()) out += " CHARSET " + astring(c.charset);
      for (const auto& k : c.search.children) out += " " + format_key(k);
      break;
    case CommandName::sort: {
      static constexpr std::array<std::string_view, 7> keys{"ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO"};
      out += " (";
      for (std::size_t i = 0; i < c.sort.size(); ++i)
        out += std::string(i ? " " : "") + (c.sort[i].reverse ? "REVERSE " : "") +
               std::string(keys.at(static_cast<std::size_t>(c.sort[i].key)));
      out += ") " + astring(c.charset);
      for (const auto& k : c.search.children) out += " " + format_key(k);
      break;
    }
    case CommandName::thread:
      out += c.thread == ThreadAlgorithm::references ? " REFERENCES " : " ORDEREDSUBJECT ";
      out += astring(c.charset);
      for (const auto& k : c.search.children) out += " " + format_key(k);
      break;
    default:
      break;
  }
  return out;
}

// ---- Comparing two parsed commands -------------------------------------------------

bool same_set(const SequenceSet& a, const SequenceSet& b) {
  if (a.ranges.size() != b.ranges.size()) return false;
  for (std::size_t i = 0; i < a.ranges.size(); ++i)
    if (a.ranges[i].first != b.ranges[i].first || a.ranges[i].last != b.ranges[i].last) return false;
  return true;
}

bool same_key(const SearchKey& a, const SearchKey& b) {
  if (a.kind != b.kind || a.number != b.number || a.name != b.name || !same_set(a.set, b.set)) return false;
  if (a.children.size() != b.children.size()) return false;
  for (std::size_t i = 0; i < a.children.size(); ++i)
    if (!same_key(a.children[i], b.children[i])) return false;
  return true;
}

bool same_item(const FetchItem& a, const FetchItem& b) {
  return a.kind == b.kind && a.peek == b.peek && a.section.part == b.section.part && a.section.text == b.section.text &&
         a.section.fields == b.section.fields && a.partial == b.partial;
}

bool same_command(const ImapCommand& a, const ImapCommand& b) {
  if (a.tag != b.tag || a.name != b.name || a.uid != b.uid || a.args != b.args || a.status_items != b.status_items)
    return false;
  if (!same_set(a.sequence, b.sequence) || a.charset != b.charset || !same_key(a.search, b.search)) return false;
  if (a.search_return.has_value() != b.search_return.has_value() || a.thread != b.thread ||
      a.sort.size() != b.sort.size())
    return false;
  if (a.search_return && (a.search_return->min != b.search_return->min || a.search_return->max != b.search_return->max ||
                          a.search_return->all != b.search_return->all || a.search_return->count != b.search_return->count))
    return false;
  for (std::size_t i = 0; i < a.sort.size(); ++i)
    if (a.sort[i].key != b.sort[i].key || a.sort[i].reverse != b.sort[i].reverse) return false;
  if (a.fetch.size() != b.fetch.size()) return false;
  for (std::size_t i = 0; i < a.fetch.size(); ++i)
    if (!same_item(a.fetch[i], b.fetch[i])) return false;
  const ListOptions& la = a.list;
  const ListOptions& lb = b.list;
  if (la.extended != lb.extended || la.select_subscribed != lb.select_subscribed ||
      la.select_special_use != lb.select_special_use || la.recursive_match != lb.recursive_match ||
      la.return_subscribed != lb.return_subscribed || la.return_children != lb.return_children ||
      la.return_special_use != lb.return_special_use)
    return false;
  const SelectParameters& sa = a.select;
  const SelectParameters& sb = b.select;
  auto same_optional_set = [](const std::optional<SequenceSet>& x, const std::optional<SequenceSet>& y) {
    return x.has_value() == y.has_value() && (!x || same_set(*x, *y));
  };
  if (sa.condstore != sb.condstore || sa.qresync != sb.qresync || sa.uidvalidity != sb.uidvalidity ||
      sa.modseq != sb.modseq || !same_optional_set(sa.known_uids, sb.known_uids) ||
      !same_optional_set(sa.known_sequence, sb.known_sequence) ||
      !same_optional_set(sa.known_sequence_uids, sb.known_sequence_uids))
    return false;
  if (a.fetch_modifiers.changed_since != b.fetch_modifiers.changed_since ||
      a.fetch_modifiers.vanished != b.fetch_modifiers.vanished)
    return false;
  if (a.append.flags != b.append.flags || a.append.keywords != b.append.keywords ||
      a.append.internal_date != b.append.internal_date || a.append.message_size != b.append.message_size)
    return false;
  return a.store.mode == b.store.mode && a.store.silent == b.store.silent && a.store.flags == b.store.flags &&
         a.store.keywords == b.store.keywords && a.store.unchanged_since == b.store.unchanged_since;
}

// ---- Invariants of one parsed command ---------------------------------------------

void check_set(const SequenceSet& set) {
  FUZZ_CHECK(!set.ranges.empty() && set.ranges.size() <= max_sequence_ranges);
  for (const auto& r : set.ranges) FUZZ_CHECK(r.first != 0 && r.last != 0);
}

bool atom(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_atom_char(c)) return false;
  return true;
}

void check_key(const SearchKey& k, std::size_t depth, std::size_t& count) {
  FUZZ_CHECK(depth >= 1 && depth <= max_search_depth);
  ++count;
  const std::size_t children = k.kind == Kind::not_ ? 1 : k.kind == Kind::or_ ? 2 : 0;
  if (k.kind == Kind::and_) FUZZ_CHECK(!k.children.empty());
  else FUZZ_CHECK(k.children.size() == children);
  switch (k.kind) {
    case Kind::sequence: case Kind::uid: check_set(k.set); break;
    case Kind::larger: case Kind::smaller: FUZZ_CHECK(k.number >= 0 && k.number <= UINT32_MAX); break;
    case Kind::before: case Kind::on: case Kind::since:
      FUZZ_CHECK(k.number >= first_search_day && k.number <= last_search_day);
      break;
    case Kind::keyword: case Kind::unkeyword: FUZZ_CHECK(atom(k.name)); break;
    case Kind::modseq: FUZZ_CHECK(k.number >= 0); break;
    case Kind::sent_before: case Kind::sent_on: case Kind::sent_since:
      FUZZ_CHECK(k.number >= first_search_day && k.number <= last_search_day);
      break;
    case Kind::header: FUZZ_CHECK(!k.name.empty() && k.name.size() <= max_search_field); break;
    case Kind::unsupported: FUZZ_CHECK(false); break;  // every RFC 3501 key is evaluated
    default: break;
  }
  for (const auto& c : k.children) check_key(c, depth + 1, count);
}

void check_search(const ImapCommand& c) {
  FUZZ_CHECK(c.search.kind == Kind::and_ && !c.search.children.empty());
  FUZZ_CHECK(c.search.number == 0 && c.search.name.empty() && c.search.set.ranges.empty());
  std::size_t count = 0;
  for (const auto& k : c.search.children) check_key(k, 1, count);
  FUZZ_CHECK(count <= max_search_keys);
  for (char ch : c.charset) FUZZ_CHECK(!(ch >= 'a' && ch <= 'z'));  // upper case
  FUZZ_CHECK(find_unsupported(c.search) == nullptr);
  // The top level is an AND of its keys.
  SearchFacts facts;
  facts.seq = facts.max_seq = 3;
  facts.uid = facts.max_uid = 70;
  facts.flags = store::flag_seen;
  facts.size = 1000;
  facts.internal_date = 1700000000;
  bool all = true;
  for (const auto& k : c.search.children) all = all && search_matches(k, facts);
  FUZZ_CHECK(search_matches(c.search, facts) == all);
}

void check_fetch(const std::vector<FetchItem>& items) {
  FUZZ_CHECK(!items.empty() && items.size() <= max_fetch_items);
  for (const auto& item : items) {
    const FetchSection& s = item.section;
    FUZZ_CHECK(item.sets_seen() == ((item.kind == FetchKind::section && !item.peek) || item.kind == FetchKind::rfc822 ||
                                    item.kind == FetchKind::rfc822_text));
    const std::string name = fetch_response_name(item);
    if (item.kind != FetchKind::section) {
      FUZZ_CHECK(!item.peek && !item.partial && s.part.empty() && s.text == SectionText::full && s.fields.empty());
      FUZZ_CHECK(name == format_item(item));
      continue;
    }
    FUZZ_CHECK(s.part.size() <= max_section_parts);
    for (auto p : s.part) FUZZ_CHECK(p >= 1);
    if (s.text == SectionText::mime) FUZZ_CHECK(!s.part.empty());
    const bool listed = s.text == SectionText::header_fields || s.text == SectionText::header_fields_not;
    FUZZ_CHECK(listed == !s.fields.empty());
    FUZZ_CHECK(s.fields.size() <= max_header_field_names);
    for (const auto& f : s.fields) {
      FUZZ_CHECK(!f.empty() && f.size() <= 256);
      for (char ch : f) FUZZ_CHECK(static_cast<unsigned char>(ch) > 32 && static_cast<unsigned char>(ch) < 127 && ch != ':');
    }
    if (item.partial) FUZZ_CHECK(item.partial->second > 0);
    // The response names the item without PEEK and without the partial's length.
    std::string expected = "BODY[" + format_section(s, false) + "]";
    if (item.partial) expected += "<" + std::to_string(item.partial->first) + ">";
    FUZZ_CHECK(name == expected);
  }
}

void check_command(std::string_view text, const ImapCommand& c) {
  FUZZ_CHECK(!c.tag.empty() && c.tag.size() <= max_tag && c.tag == command_tag(text));
  for (char ch : c.tag) FUZZ_CHECK((is_atom_char(ch) || ch == ']') && ch != '+');
  FUZZ_CHECK(command_word(text) == (c.uid ? "UID " : "") + std::string(command_name(c.name)));
  for (const auto& a : c.args) FUZZ_CHECK(no_nul(a));

  std::size_t args = 0;
  bool sequence = false;
  switch (c.name) {
    case CommandName::login: case CommandName::rename: case CommandName::lsub: args = 2; break;
    case CommandName::list:
      args = c.args.size();  // reference and one pattern, or RFC 5258's pattern list
      FUZZ_CHECK(args >= 2 && args <= max_arguments + 1);
      break;
    case CommandName::select: case CommandName::examine: case CommandName::create: case CommandName::delete_mailbox:
    case CommandName::subscribe: case CommandName::unsubscribe: case CommandName::append: case CommandName::status:
    case CommandName::getquota: case CommandName::getquotaroot: case CommandName::setquota:
      args = 1;
      break;
    case CommandName::enable:
      args = c.args.size();
      FUZZ_CHECK(args >= 1 && args <= max_arguments);
      for (const auto& a : c.args) FUZZ_CHECK(atom(a));
      break;
    case CommandName::copy: case CommandName::move: args = 1; sequence = true; break;
    case CommandName::fetch: case CommandName::store: sequence = true; break;
    case CommandName::expunge: sequence = c.uid; break;
    case CommandName::authenticate:
      args = c.args.size();
      FUZZ_CHECK(args == 1 || args == 2);
      for (const auto& a : c.args) FUZZ_CHECK(atom(a));
      break;
    case CommandName::id:
      args = c.args.size();
      FUZZ_CHECK(args % 2 == 0 && args <= max_arguments);
      break;
    default: break;
  }
  FUZZ_CHECK(c.args.size() == args);
  if (c.uid) {
    FUZZ_CHECK(c.name == CommandName::fetch || c.name == CommandName::store || c.name == CommandName::search ||
               c.name == CommandName::copy || c.name == CommandName::move || c.name == CommandName::expunge ||
               c.name == CommandName::sort || c.name == CommandName::thread);
  }
  if (sequence) check_set(c.sequence);
  else FUZZ_CHECK(c.sequence.ranges.empty());

  if (c.name == CommandName::status) {
    FUZZ_CHECK(!c.status_items.empty() && c.status_items.size() <= max_arguments);
    for (const auto& s : c.status_items)
      FUZZ_CHECK(s == "MESSAGES" || s == "RECENT" || s == "UIDNEXT" || s == "UIDVALIDITY" || s == "UNSEEN" ||
                 s == "HIGHESTMODSEQ");
  } else {
    FUZZ_CHECK(c.status_items.empty());
  }
  if (c.name == CommandName::fetch) check_fetch(c.fetch);
  else FUZZ_CHECK(c.fetch.empty());
  if (c.name == CommandName::store) FUZZ_CHECK((c.store.flags & ~all_flags) == 0);
  else FUZZ_CHECK(c.store.flags == 0 && c.store.keywords.empty() && !c.store.silent && !c.store.unchanged_since);
  for (const auto& k : c.store.keywords) FUZZ_CHECK(atom(k));
  for (const auto& k : c.append.keywords) FUZZ_CHECK(atom(k));
  FUZZ_CHECK(c.store.keywords.size() <= max_flags && c.append.keywords.size() <= max_flags);
  // RFC 7162 arguments only where they belong, within 63 bits.
  if (c.name != CommandName::select && c.name != CommandName::examine)
    FUZZ_CHECK(!c.select.condstore && !c.select.qresync);
  if (c.select.qresync) FUZZ_CHECK(c.select.uidvalidity != 0 && c.select.modseq != 0 && c.select.modseq <= INT64_MAX);
  else FUZZ_CHECK(!c.select.known_uids && !c.select.known_sequence);
  FUZZ_CHECK(c.select.known_sequence.has_value() == c.select.known_sequence_uids.has_value());
  if (c.name != CommandName::fetch) FUZZ_CHECK(!c.fetch_modifiers.changed_since && !c.fetch_modifiers.vanished);
  if (c.fetch_modifiers.vanished) FUZZ_CHECK(c.uid && c.fetch_modifiers.changed_since);
  if (c.fetch_modifiers.changed_since) FUZZ_CHECK(*c.fetch_modifiers.changed_since <= INT64_MAX);
  if (c.store.unchanged_since) FUZZ_CHECK(*c.store.unchanged_since <= INT64_MAX);
  const bool searches = c.name == CommandName::search || c.name == CommandName::sort || c.name == CommandName::thread;
  if (searches) check_search(c);
  else FUZZ_CHECK(c.charset.empty() && c.search.kind == Kind::all && c.search.children.empty());
  if (c.name != CommandName::search) FUZZ_CHECK(!c.search_return);
  if (c.search_return) FUZZ_CHECK(c.search_return->min || c.search_return->max || c.search_return->all || c.search_return->count);
  if (c.name == CommandName::sort || c.name == CommandName::thread) FUZZ_CHECK(!c.charset.empty());  // mandatory
  if (c.name == CommandName::sort) FUZZ_CHECK(!c.sort.empty() && c.sort.size() <= max_sort_criteria);
  else FUZZ_CHECK(c.sort.empty());
  if (c.name != CommandName::thread) FUZZ_CHECK(c.thread == ThreadAlgorithm::references);

  const ListOptions& l = c.list;
  const bool any_option = l.select_subscribed || l.select_special_use || l.recursive_match || l.return_subscribed ||
                          l.return_children || l.return_special_use;
  if (c.name != CommandName::list) FUZZ_CHECK(!l.extended && !any_option);
  if (c.name == CommandName::list && (any_option || c.args.size() > 2)) FUZZ_CHECK(l.extended);
  if (l.recursive_match) FUZZ_CHECK(l.select_subscribed || l.select_special_use);

  const AppendArguments& a = c.append;
  if (c.name == CommandName::append) {
    FUZZ_CHECK(a.message_offset > c.tag.size() && a.message_offset <= text.size());
    FUZZ_CHECK(a.message_size <= text.size() - a.message_offset && a.message_size <= max_append_message);
    FUZZ_CHECK(a.message_offset + a.message_size == text.size());  // the message ends the command
    FUZZ_CHECK(!a.message_elided);
    // Spooled by the framing, the same message parses to the same arguments.
    auto spooled = parse_imap_command(text.substr(0, a.message_offset), ElidedLiteral{a.message_offset, a.message_size});
    FUZZ_CHECK(spooled.ok() && spooled->append.message_elided && spooled->args == c.args &&
               spooled->append.flags == a.flags && spooled->append.keywords == a.keywords &&
               spooled->append.internal_date == a.internal_date && spooled->append.message_offset == a.message_offset &&
               spooled->append.message_size == a.message_size);
    FUZZ_CHECK((a.flags & ~all_flags) == 0);
    if (a.internal_date) FUZZ_CHECK(*a.internal_date >= first_search_day * 86400 && *a.internal_date < (last_search_day + 1) * 86400);
  } else {
    FUZZ_CHECK(a.flags == 0 && a.keywords.empty() && !a.internal_date && a.message_offset == 0 && a.message_size == 0);
    FUZZ_CHECK(text.size() <= max_command_bytes);
  }
}

// trailing_literal: "{digits}" or "{digits+}" at the very end.
void check_trailing_literal(std::string_view text) {
  auto marker = trailing_literal(text);
  std::optional<LiteralMarker> expected;
  const auto open = text.rfind('{');
  if (text.size() >= 3 && text.back() == '}' && open != std::string_view::npos) {
    std::string_view inside = text.substr(open + 1, text.size() - open - 2);
    LiteralMarker m;
    if (!inside.empty() && inside.back() == '+') {
      m.synchronizing = false;
      inside.remove_suffix(1);
    }
    bool digits = !inside.empty();
    for (char ch : inside) {
      digits = digits && ch >= '0' && ch <= '9';
      if (!digits) break;
      const unsigned d = static_cast<unsigned>(ch - '0');
      m.size = m.size > (UINT64_MAX - d) / 10 ? UINT64_MAX : m.size * 10 + d;  // saturates
    }
    if (digits) expected = m;
  }
  FUZZ_CHECK(marker.has_value() == expected.has_value());
  if (!marker) return;
  FUZZ_CHECK(marker->synchronizing == expected->synchronizing);
  // Sizes too large to matter may read as "does not fit" a little early.
  if (marker->size == UINT64_MAX) FUZZ_CHECK(expected->size >= 10000000000000000000u);
  else FUZZ_CHECK(marker->size == expected->size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_view(data, size);
  check_trailing_literal(text);
  if (is_append_message_literal(text)) FUZZ_CHECK(command_word(text) == "APPEND");

  const std::string_view tag = command_tag(text);
  if (!tag.empty()) FUZZ_CHECK(tag.data() == text.data());
  FUZZ_CHECK(tag.size() <= max_tag);
  if (!tag.empty()) FUZZ_CHECK(tag.size() == text.size() || text[tag.size()] == ' ');

  auto command = parse_imap_command(text);
  if (!command) {
    const ErrorCode code = command.error().code;
    FUZZ_CHECK(code == ErrorCode::invalid_argument || code == ErrorCode::limit_exceeded);
    FUZZ_CHECK(!command.error().message.empty());
    if (text.size() > max_command_bytes && command_word(text) != "APPEND") FUZZ_CHECK(code == ErrorCode::limit_exceeded);
    return 0;
  }
  check_command(text, *command);

  const std::string again_text = format_command(*command, text);
  auto again = parse_imap_command(again_text);
  if (!again) {
    // Only sizes can differ: a long quoted string comes back as a (limited) literal.
    FUZZ_CHECK(text.size() > max_literal / 4 && again.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  FUZZ_CHECK(same_command(*command, *again));
  const AppendArguments& a = command->append;
  const AppendArguments& b = again->append;
  FUZZ_CHECK(text.substr(a.message_offset, a.message_size) == std::string_view(again_text).substr(b.message_offset, b.message_size));
  return 0;
}
