// SEARCH criteria (RFC 3501 §6.4.4): parsing into a tree and evaluation.
#include "dirmail/imap/search_key.hpp"

#include <algorithm>
#include <array>

#include "argument_parsers.hpp"
#include "dirmail/base/encoded_words.hpp"
#include "dirmail/base/header_fields.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/imap/imap_date.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {
namespace {

using Kind = SearchKey::Kind;

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

struct SimpleKey {
  std::string_view name;
  Kind kind;
};

constexpr std::array<SimpleKey, 14> simple_keys{{
    {"ALL", Kind::all},           {"ANSWERED", Kind::answered},     {"DELETED", Kind::deleted},
    {"DRAFT", Kind::draft},       {"FLAGGED", Kind::flagged},       {"SEEN", Kind::seen},
    {"RECENT", Kind::recent},     {"NEW", Kind::new_},              {"OLD", Kind::old},
    {"UNANSWERED", Kind::unanswered}, {"UNDELETED", Kind::undeleted}, {"UNDRAFT", Kind::undraft},
    {"UNFLAGGED", Kind::unflagged}, {"UNSEEN", Kind::unseen},
}};

// Keys that need the message's header or text; parsed so the reply can say which
// key is missing rather than "syntax error". HEADER takes two arguments.
constexpr std::array<std::string_view, 8> text_keys{"BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO", "HEADER"};
constexpr std::array<std::string_view, 3> sent_date_keys{"SENTBEFORE", "SENTON", "SENTSINCE"};

class SearchParser {
 public:
  explicit SearchParser(ArgCursor& in) : in_(in) {}

  Result<SearchKey> key(std::size_t depth) {
    if (depth > max_search_depth) return make_error(ErrorCode::limit_exceeded, "Search criteria nested too deeply");
    if (++count_ > max_search_keys) return make_error(ErrorCode::limit_exceeded, "Too many search keys");
    SearchKey k;
    if (in_.consume('(')) {
      k.kind = Kind::and_;
      for (;;) {
        auto child = key(depth + 1);
        if (!child) return std::move(child).error();
        k.children.push_back(std::move(*child));
        if (in_.consume(')')) return k;
        DIRMAIL_TRY(in_.space());
      }
    }
    if ((in_.peek() >= '0' && in_.peek() <= '9') || in_.peek() == '*') {
      auto text = in_.word("*");
      if (!text) return std::move(text).error();
      auto set = parse_sequence_set(*text);
      if (!set) return std::move(set).error();
      k.kind = Kind::sequence;
      k.set = std::move(*set);
      return k;
    }
    auto word = in_.atom();
    if (!word) return std::move(word).error();
    std::string name = to_upper(*word);
    for (const auto& s : simple_keys)
      if (name == s.name) {
        k.kind = s.kind;
        return k;
      }
    if (name == "NOT" || name == "OR") {
      k.kind = name == "NOT" ? Kind::not_ : Kind::or_;
      for (int i = 0; i < (name == "NOT" ? 1 : 2); ++i) {
        DIRMAIL_TRY(in_.space());
        auto child = key(depth + 1);
        if (!child) return std::move(child).error();
        k.children.push_back(std::move(*child));
      }
      return k;
    }
    DIRMAIL_TRY(in_.space());
    if (name == "UID") {
      auto text = in_.word("*");
      if (!text) return std::move(text).error();
      auto set = parse_sequence_set(*text);
      if (!set) return std::move(set).error();
      k.kind = Kind::uid;
      k.set = std::move(*set);
      return k;
    }
    if (name == "LARGER" || name == "SMALLER") {
      auto n = in_.number();
      if (!n) return std::move(n).error();
      k.kind = name == "LARGER" ? Kind::larger : Kind::smaller;
      k.number = *n;
      return k;
    }
    if (name == "MODSEQ") {
      // RFC 7162 §3.1.5: [entry-name SP entry-type-req] SP mod-sequence-valzer. Only
      // one mod-sequence per message is kept, so the entry names the same one.
      if (in_.peek() == '"') {
        auto entry = in_.quoted();
        if (!entry) return std::move(entry).error();
        if (!entry->starts_with("/flags/")) return syntax_error("Invalid MODSEQ entry name");
        DIRMAIL_TRY(in_.space());
        auto type = in_.atom();
        if (!type) return std::move(type).error();
        if (!iequals(*type, "priv") && !iequals(*type, "shared") && !iequals(*type, "all"))
          return syntax_error("Invalid MODSEQ entry type");
        DIRMAIL_TRY(in_.space());
      }
      auto modseq = in_.mod_sequence(true);
      if (!modseq) return std::move(modseq).error();
      k.kind = Kind::modseq;
      k.number = static_cast<std::int64_t>(*modseq);
      return k;
    }
    if (name == "KEYWORD" || name == "UNKEYWORD") {
      auto flag = in_.atom();
      if (!flag) return std::move(flag).error();
      k.kind = name == "KEYWORD" ? Kind::keyword : Kind::unkeyword;
      k.name = std::string(*flag);
      return k;
    }
    bool sent = false;
    for (auto s : sent_date_keys) sent = sent || name == s;
    if (name == "BEFORE" || name == "ON" || name == "SINCE" || sent) {
      std::string text;
      if (in_.peek() == '"') {
        auto q = in_.quoted();
        if (!q) return std::move(q).error();
        text = std::move(*q);
      } else {
        auto a = in_.atom();
        if (!a) return std::move(a).error();
        text = std::string(*a);
      }
      auto day = parse_search_date(text);
      if (!day) return syntax_error("Invalid date");
      k.number = *day;
      k.kind = name == "BEFORE" ? Kind::before : name == "ON" ? Kind::on : Kind::since;
      if (sent) k.kind = name == "SENTBEFORE" ? Kind::sent_before : name == "SENTON" ? Kind::sent_on : Kind::sent_since;
      return k;
    }
    for (auto t : text_keys)
      if (name == t) {
        if (name == "HEADER") {
          auto field = in_.astring();
          if (!field) return std::move(field).error();
          if (field->empty() || field->size() > max_search_field) return syntax_error("Invalid header field name");
          k.name = std::string(*field);
          DIRMAIL_TRY(in_.space());
        }
        auto value = in_.astring();
        if (!value) return std::move(value).error();
        k.value = std::string(*value);
        if (name == "BODY" || name == "TEXT") {
          k.kind = name == "BODY" ? Kind::body : Kind::text;
        } else {
          k.kind = Kind::header;
          if (name != "HEADER") k.name = name == "SUBJECT" ? "Subject" : name == "FROM" ? "From" : name == "TO" ? "To"
                                         : name == "CC" ? "Cc" : "Bcc";
        }
        return k;
      }
    return syntax_error("Unknown search key");
  }

 private:
  ArgCursor& in_;
  std::size_t count_ = 0;
};

bool has_keyword(const SearchFacts& m, std::string_view name) {
  if (m.keyword_names == nullptr) return false;
  const auto& names = *m.keyword_names;
  for (std::size_t i = 0; i < names.size() && i < 64; ++i)
    if (iequals(names[i], name)) return (m.keywords & (std::uint64_t{1} << i)) != 0;
  return false;
}

// Case-insensitive substring (ASCII letters fold; other text must match as written,
// which is what Japanese needs).
bool contains_text(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [&](char a, char b) { return fold(a) == fold(b); });
  return it != haystack.end();
}

bool header_contains(std::string_view header, std::string_view field, std::string_view value) {
  for (const auto& f : split_header_fields(header)) {
    if (!iequals(f.name, field)) continue;
    if (value.empty() || contains_text(decode_encoded_words(field_value(f)), value)) return true;
  }
  return false;
}

bool content_matches(const SearchKey& key, const SearchContent& c) {
  switch (key.kind) {
    case Kind::sent_before: return c.sent_day < key.number;
    case Kind::sent_on: return c.sent_day == key.number;
    case Kind::sent_since: return c.sent_day >= key.number;
    case Kind::header: return header_contains(c.header, key.name, key.value);
    case Kind::body: return contains_text(c.text, key.value);
    case Kind::text:
      return contains_text(decode_encoded_words(c.header), key.value) || contains_text(c.text, key.value);
    default: return false;
  }
}

}  // namespace

Result<SearchKey> parse_search_criteria(ArgCursor& in, std::string& charset) {
  SearchParser parser(in);
  SearchKey all;
  all.kind = Kind::and_;
  while (in.consume(' ')) {
    if (all.children.empty() && charset.empty()) {
      ArgCursor probe = in;
      auto word = probe.atom();
      if (word && iequals(*word, "CHARSET")) {
        in = probe;
        DIRMAIL_TRY(in.space());
        auto cs = in.astring();
        if (!cs) return std::move(cs).error();
        charset = to_upper(*cs);
        if (charset.empty()) return syntax_error("Empty charset");
        continue;
      }
    }
    auto k = parser.key(1);
    if (!k) return std::move(k).error();
    all.children.push_back(std::move(*k));
  }
  if (all.children.empty()) return syntax_error("SEARCH needs criteria");
  return all;
}

SearchMatch search_evaluate(const SearchKey& key, const SearchFacts& m) {
  auto answer = [](bool b) { return b ? SearchMatch::yes : SearchMatch::no; };
  switch (key.kind) {
    case Kind::sent_before:
    case Kind::sent_on:
    case Kind::sent_since:
    case Kind::header:
    case Kind::body:
    case Kind::text:
      if (m.content == nullptr) return SearchMatch::unknown;
      return answer(content_matches(key, *m.content));
    case Kind::not_: {
      SearchMatch r = search_evaluate(key.children.at(0), m);
      return r == SearchMatch::unknown ? r : answer(r == SearchMatch::no);
    }
    case Kind::or_: {
      SearchMatch a = search_evaluate(key.children.at(0), m);
      if (a == SearchMatch::yes) return a;
      SearchMatch b = search_evaluate(key.children.at(1), m);
      if (b == SearchMatch::yes) return b;
      return a == SearchMatch::unknown || b == SearchMatch::unknown ? SearchMatch::unknown : SearchMatch::no;
    }
    case Kind::and_: {
      SearchMatch r = SearchMatch::yes;
      for (const auto& c : key.children) {
        SearchMatch x = search_evaluate(c, m);
        if (x == SearchMatch::no) return x;
        if (x == SearchMatch::unknown) r = x;
      }
      return r;
    }
    default:
      return answer(search_matches(key, m));
  }
}

bool search_matches(const SearchKey& key, const SearchFacts& m) {
  using store::flag_answered, store::flag_deleted, store::flag_draft, store::flag_flagged, store::flag_seen;
  auto has = [&m](std::uint8_t f) { return (m.flags & f) != 0; };
  switch (key.kind) {
    case Kind::sent_before:
    case Kind::sent_on:
    case Kind::sent_since:
    case Kind::header:
    case Kind::body:
    case Kind::text:
      return m.content != nullptr && content_matches(key, *m.content);
    case Kind::all: return true;
    case Kind::answered: return has(flag_answered);
    case Kind::deleted: return has(flag_deleted);
    case Kind::draft: return has(flag_draft);
    case Kind::flagged: return has(flag_flagged);
    case Kind::seen: return has(flag_seen);
    case Kind::recent: return m.recent;
    case Kind::new_: return m.recent && !has(flag_seen);
    case Kind::old: return !m.recent;
    case Kind::unanswered: return !has(flag_answered);
    case Kind::undeleted: return !has(flag_deleted);
    case Kind::undraft: return !has(flag_draft);
    case Kind::unflagged: return !has(flag_flagged);
    case Kind::unseen: return !has(flag_seen);
    case Kind::keyword: return has_keyword(m, key.name);
    case Kind::unkeyword: return !has_keyword(m, key.name);
    case Kind::modseq: return m.modseq >= static_cast<std::uint64_t>(key.number);
    case Kind::larger: return m.size > static_cast<std::uint64_t>(key.number);
    case Kind::smaller: return m.size < static_cast<std::uint64_t>(key.number);
    case Kind::before: return day_of(m.internal_date) < key.number;
    case Kind::on: return day_of(m.internal_date) == key.number;
    case Kind::since: return day_of(m.internal_date) >= key.number;
    case Kind::sequence: return key.set.contains(m.seq, m.max_seq);
    case Kind::uid: return key.set.contains(m.uid, m.max_uid);
    case Kind::not_: return !search_matches(key.children.at(0), m);
    case Kind::or_: return search_matches(key.children.at(0), m) || search_matches(key.children.at(1), m);
    case Kind::and_:
      for (const auto& c : key.children)
        if (!search_matches(c, m)) return false;
      return true;
    case Kind::unsupported: return false;
  }
  return false;
}

SearchNeeds search_needs(const SearchKey& key) {
  SearchNeeds needs;
  auto add_field = [&needs](std::string_view name) {
    for (const auto& f : needs.fields)
      if (iequals(f, name)) return;
    needs.fields.emplace_back(name);
  };
  auto walk = [&](auto& self, const SearchKey& k) -> void {
    switch (k.kind) {
      case Kind::sent_before:
      case Kind::sent_on:
      case Kind::sent_since: add_field("Date"); break;
      case Kind::header: add_field(k.name); break;
      case Kind::text: needs.whole_header = needs.body = true; break;
      case Kind::body: needs.body = true; break;
      default: break;
    }
    for (const auto& c : k.children) self(self, c);
  };
  walk(walk, key);
  return needs;
}

bool has_modseq_key(const SearchKey& key) {
  if (key.kind == Kind::modseq) return true;
  for (const auto& c : key.children)
    if (has_modseq_key(c)) return true;
  return false;
}

const SearchKey* find_unsupported(const SearchKey& key) {
  if (key.kind == Kind::unsupported) return &key;
  for (const auto& c : key.children)
    if (const SearchKey* u = find_unsupported(c)) return u;
  return nullptr;
}

}  // namespace dirmail::imap
