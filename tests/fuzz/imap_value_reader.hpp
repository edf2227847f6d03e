#pragma once
// A strict reader of what the IMAP server writes inside a response (RFC 3501 §9):
// NIL, numbers, atoms, quoted strings, literals and parenthesised lists, with exactly
// one SP between list items, or none between two lists (the grammar's "1*address"
// and "1*body" are written that way; `joined` records it). The fuzz targets use it to prove that formatted output
// (ENVELOPE, BODYSTRUCTURE, strings) is well formed and to read the values back.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/imap/imap_string.hpp"

namespace dirmail::fuzz {

struct ImapValue {
  enum class Kind { nil, number, atom, string, list };
  Kind kind = Kind::nil;
  std::string text;              // string: the decoded bytes; atom / number: as written
  std::vector<ImapValue> items;  // list
  bool joined = false;           // written right after the previous list item, without SP

  bool is_nil() const { return kind == Kind::nil; }
  bool is_string() const { return kind == Kind::string; }
  bool is_list() const { return kind == Kind::list; }
  // A string, or NIL as nullopt: how the targets compare nstrings with expectations.
  std::optional<std::string> nstring() const {
    if (kind == Kind::string) return text;
    return std::nullopt;
  }
};

class ImapValueReader {
 public:
  explicit ImapValueReader(std::string_view text) : text_(text) {}

  // Reads one value; nullopt at the first byte the grammar does not allow.
  std::optional<ImapValue> value(std::size_t depth = 0) {
    if (depth > 64 || at_end()) return std::nullopt;
    char c = text_[pos_];
    if (c == '(') return list(depth);
    if (c == '"') return quoted();
    if (c == '{') return literal();
    if (c >= '0' && c <= '9') return number();
    return atom();
  }

  bool at_end() const { return pos_ >= text_.size(); }

 private:
  std::optional<ImapValue> list(std::size_t depth) {
    ImapValue v{ImapValue::Kind::list, {}, {}};
    ++pos_;  // '('
    if (consume(')')) return v;
    bool joined = false;
    for (;;) {
      auto item = value(depth + 1);
      if (!item) return std::nullopt;
      item->joined = joined;
      v.items.push_back(std::move(*item));
      if (consume(')')) return v;
      joined = !consume(' ');
      if (joined && !(v.items.back().is_list() && !at_end() && text_[pos_] == '(')) return std::nullopt;
    }
  }

  // quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR: 7-bit, no CR, LF or NUL, and
  // '"' and '\' only escaped (and nothing else escaped).
  std::optional<ImapValue> quoted() {
    ImapValue v{ImapValue::Kind::string, {}, {}};
    ++pos_;
    for (;;) {
      if (at_end()) return std::nullopt;
      char c = text_[pos_++];
      if (c == '"') return v;
      auto u = static_cast<unsigned char>(c);
      if (u == 0 || u >= 0x80 || c == '\r' || c == '\n') return std::nullopt;
      if (c == '\\') {
        if (at_end()) return std::nullopt;
        c = text_[pos_++];
        if (c != '"' && c != '\\') return std::nullopt;
      }
      v.text.push_back(c);
    }
  }

  // literal = "{" number "}" CRLF *CHAR8. NUL is let through: IMAP4rev1 forbids it in
  // a literal, but a stored message may carry it (reported separately, not checked).
  std::optional<ImapValue> literal() {
    ++pos_;
    std::uint64_t n = 0;
    std::size_t digits = 0;
    while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (++digits > 10) return std::nullopt;
      n = n * 10 + static_cast<unsigned>(text_[pos_++] - '0');
    }
    if (digits == 0 || !consume('}') || !consume('\r') || !consume('\n')) return std::nullopt;
    if (text_.size() - pos_ < n) return std::nullopt;
    ImapValue v{ImapValue::Kind::string, std::string(text_.substr(pos_, n)), {}};
    pos_ += n;
    return v;
  }

  std::optional<ImapValue> number() {
    ImapValue v{ImapValue::Kind::number, {}, {}};
    while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') v.text.push_back(text_[pos_++]);
    if (v.text.size() > 20) return std::nullopt;
    return v;
  }

  std::optional<ImapValue> atom() {
    ImapValue v{ImapValue::Kind::atom, {}, {}};
    while (!at_end() && imap::is_atom_char(text_[pos_])) v.text.push_back(text_[pos_++]);
    if (v.text.empty()) return std::nullopt;
    if (v.text == "NIL") v.kind = ImapValue::Kind::nil;
    return v;
  }

  bool consume(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// The whole text as exactly one value, or nullopt.
inline std::optional<ImapValue> read_imap_value(std::string_view text) {
  ImapValueReader reader(text);
  auto v = reader.value();
  if (!v || !reader.at_end()) return std::nullopt;
  return v;
}

}  // namespace dirmail::fuzz
