// SEARCH criteria (RFC 3501 §6.4.4): parsing into a tree and evaluation.
#include "dirmail/imap/search_key.hpp"

#include <array>

#include "argument_parsers.hpp"
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
      if (sent) {
        k.kind = Kind::unsupported;  // needs the Date: header field
        k.name = name;
      }
      return k;
    }
    for (auto t : text_keys)
      if (name == t) {
        if (name == "HEADER") {
          auto field = in_.astring();
          if (!field) return std::move(field).error();
          DIRMAIL_TRY(in_.space());
        }
        auto value = in_.astring();
        if (!value) return std::move(value).error();
        k.kind = Kind::unsupported;
        k.name = name;
        return k;
      }
    return syntax_error("Unknown search key");
  }

 private:
  ArgCursor& in_;
  std::size_t count_ = 0;
};

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

bool search_matches(const SearchKey& key, const SearchFacts& m) {
  using store::flag_answered, store::flag_deleted, store::flag_draft, store::flag_flagged, store::flag_seen;
  auto has = [&m](std::uint8_t f) { return (m.flags & f) != 0; };
  switch (key.kind) {
    case Kind::all: return true;
    case Kind::answered: return has(flag_answered);
    case Kind::deleted: return has(flag_deleted);
    case Kind::draft: return has(flag_draft);
    case Kind::flagged: return has(flag_flagged);
    case Kind::seen: return has(flag_seen);
    case Kind::recent: return false;  // no session ever sees \Recent (RECENT is always 0)
    case Kind::new_: return false;    // NEW = RECENT UNSEEN
    case Kind::old: return true;      // OLD = NOT RECENT
    case Kind::unanswered: return !has(flag_answered);
    case Kind::undeleted: return !has(flag_deleted);
    case Kind::undraft: return !has(flag_draft);
    case Kind::unflagged: return !has(flag_flagged);
    case Kind::unseen: return !has(flag_seen);
    case Kind::keyword: return false;   // keywords are not stored yet
    case Kind::unkeyword: return true;
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

const SearchKey* find_unsupported(const SearchKey& key) {
  if (key.kind == Kind::unsupported) return &key;
  for (const auto& c : key.children)
    if (const SearchKey* u = find_unsupported(c)) return u;
  return nullptr;
}

}  // namespace dirmail::imap
