#pragma once
// A cursor over one IMAP command's text (literals inline) that reads the grammar's
// building blocks: SP, atoms, numbers, quoted strings, literals, lists.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "dirmail/base/result.hpp"
#include "dirmail/imap/command.hpp"

namespace dirmail::imap {

class ArgCursor {
 public:
  // `elided`: a literal whose bytes are not in `text` (offset relative to `text`).
  explicit ArgCursor(std::string_view text, std::optional<ElidedLiteral> elided = std::nullopt)
      : text_(text), elided_(elided) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool consume(char c);
  Status expect(char c, std::string_view what);
  Status space() { return expect(' ', "Expected a space"); }
  Status end();  // nothing may follow

  // 1*ATOM-CHAR, plus ']' when `allow_bracket` (ASTRING-CHAR). Never empty.
  Result<std::string_view> atom(bool allow_bracket = false);
  // Characters the caller lists in addition to atom chars (e.g. list wildcards).
  Result<std::string_view> word(std::string_view extra);
  Result<std::uint32_t> number();  // 0..4294967295
  // RFC 7162 mod-sequence-value (and mod-sequence-valzer when `zero`): 1..2^63-1.
  Result<std::uint64_t> mod_sequence(bool zero = false);
  Result<std::string> quoted();
  Result<std::string> literal();
  // A literal of up to `max` bytes left in place: its offset in the text and its size.
  // The elided literal is accepted only when `may_be_elided` (its bytes are then not
  // in the text, and elided_taken() says so).
  Result<std::pair<std::size_t, std::size_t>> literal_in_place(std::size_t max, bool may_be_elided = false);
  bool elided_taken() const { return elided_taken_; }
  Result<std::string> string();    // quoted or literal
  Result<std::string> astring();   // atom (']' allowed) or string
  // nstring: a string or NIL; NIL is returned as nullopt via the flag.
  Result<std::string> nstring(bool& is_nil);
  // The literal count of the command, for its limit.
  std::size_t literals() const { return literals_; }
  std::size_t position() const { return pos_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t literals_ = 0;
  std::optional<ElidedLiteral> elided_;
  bool elided_taken_ = false;
};

Error syntax_error(std::string_view message);

}  // namespace dirmail::imap
