#include "arg_cursor.hpp"

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/command.hpp"
#include "dirmail/imap/imap_string.hpp"

namespace dirmail::imap {

Error syntax_error(std::string_view message) { return make_error(ErrorCode::invalid_argument, std::string(message)); }

bool ArgCursor::consume(char c) {
  if (peek() != c || at_end()) return false;
  ++pos_;
  return true;
}

Status ArgCursor::expect(char c, std::string_view what) {
  if (!consume(c)) return syntax_error(what);
  return ok_status();
}

Status ArgCursor::end() {
  if (!at_end()) return syntax_error("Unexpected extra arguments");
  return ok_status();
}

Result<std::string_view> ArgCursor::atom(bool allow_bracket) {
  std::size_t start = pos_;
  while (!at_end() && (is_atom_char(text_[pos_]) || (allow_bracket && text_[pos_] == ']'))) ++pos_;
  if (pos_ == start) return syntax_error("Expected an atom");
  return text_.substr(start, pos_ - start);
}

Result<std::string_view> ArgCursor::word(std::string_view extra) {
  std::size_t start = pos_;
  while (!at_end() && (is_atom_char(text_[pos_]) || extra.find(text_[pos_]) != std::string_view::npos)) ++pos_;
  if (pos_ == start) return syntax_error("Expected a word");
  return text_.substr(start, pos_ - start);
}

Result<std::uint32_t> ArgCursor::number() {
  std::size_t start = pos_;
  std::uint64_t v = 0;
  while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') {
    v = v * 10 + static_cast<unsigned>(text_[pos_] - '0');
    if (v > UINT32_MAX) return syntax_error("Number out of range");
    ++pos_;
  }
  if (pos_ == start) return syntax_error("Expected a number");
  return static_cast<std::uint32_t>(v);
}

Result<std::uint64_t> ArgCursor::mod_sequence(bool zero) {
  std::size_t start = pos_;
  std::uint64_t v = 0;
  while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') {
    v = v * 10 + static_cast<unsigned>(text_[pos_] - '0');
    if (v > static_cast<std::uint64_t>(INT64_MAX)) return syntax_error("Mod-sequence out of range");
    ++pos_;
  }
  if (pos_ == start) return syntax_error("Expected a mod-sequence");
  if (v == 0 && !zero) return syntax_error("Mod-sequence must not be 0");
  return v;
}

Result<std::string> ArgCursor::quoted() {
  DIRMAIL_TRY(expect('"', "Expected a quoted string"));
  std::string out;
  for (;;) {
    if (at_end()) return syntax_error("Unterminated quoted string");
    char c = text_[pos_++];
    if (c == '"') return out;
    if (c == '\r' || c == '\n' || c == '\0') return syntax_error("Invalid character in quoted string");
    if (c == '\\') {
      if (at_end()) return syntax_error("Unterminated quoted string");
      c = text_[pos_++];
      if (c != '"' && c != '\\') return syntax_error("Invalid escape in quoted string");
    }
    out.push_back(c);
  }
}

Result<std::pair<std::size_t, std::size_t>> ArgCursor::literal_in_place(std::size_t max, bool may_be_elided) {
  DIRMAIL_TRY(expect('{', "Expected a literal"));
  auto size = number();
  if (!size) return std::move(size).error();
  consume('+');  // LITERAL+: the framing already knew not to wait
  DIRMAIL_TRY(expect('}', "Malformed literal"));
  if (!consume('\r') || !consume('\n')) return syntax_error("Literal must end its line");
  if (*size > max) return make_error(ErrorCode::limit_exceeded, "Literal too large");
  if (++literals_ > max_literals) return make_error(ErrorCode::limit_exceeded, "Too many literals");
  if (elided_ && pos_ == elided_->offset) {
    if (!may_be_elided || *size != elided_->size) return syntax_error("Unexpected literal");
    elided_taken_ = true;
    return std::pair<std::size_t, std::size_t>{pos_, *size};
  }
  if (text_.size() - pos_ < *size) return syntax_error("Literal shorter than announced");
  std::pair<std::size_t, std::size_t> where{pos_, *size};
  pos_ += *size;
  return where;
}

Result<std::string> ArgCursor::literal() {
  auto where = literal_in_place(max_literal);
  if (!where) return std::move(where).error();
  std::string_view data = text_.substr(where->first, where->second);
  if (data.find('\0') != std::string_view::npos) return syntax_error("NUL in literal");
  return std::string(data);
}

Result<std::string> ArgCursor::string() {
  if (peek() == '"') return quoted();
  if (peek() == '{') return literal();
  return syntax_error("Expected a string");
}

Result<std::string> ArgCursor::astring() {
  if (peek() == '"' || peek() == '{') return string();
  auto a = atom(true);
  if (!a) return std::move(a).error();
  return std::string(*a);
}

Result<std::string> ArgCursor::nstring(bool& is_nil) {
  is_nil = false;
  if (peek() == '"' || peek() == '{') return string();
  auto a = atom();
  if (!a || !iequals(*a, "NIL")) return syntax_error("Expected a string or NIL");
  is_nil = true;
  return std::string();
}

}  // namespace dirmail::imap
