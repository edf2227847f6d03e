// The arguments RFC 7162 (CONDSTORE, QRESYNC) adds to SELECT/EXAMINE, FETCH and STORE
// (grammar in RFC 7162 §7, on RFC 4466's select-params, fetch-modifiers and
// store-modifiers).
#include "argument_parsers.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::imap {
namespace {

Result<SequenceSet> uid_set(ArgCursor& in) {
  auto text = in.word("");  // known-uids and seq-match-data: '*' is not allowed
  if (!text) return std::move(text).error();
  return parse_sequence_set(*text);
}

// QRESYNC's "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")".
Status parse_qresync(ArgCursor& in, SelectParameters& out) {
  DIRMAIL_TRY(in.expect('(', "Expected QRESYNC parameters"));
  auto uidvalidity = in.number();
  if (!uidvalidity) return std::move(uidvalidity).error();
  if (*uidvalidity == 0) return syntax_error("UIDVALIDITY must not be 0");
  out.uidvalidity = *uidvalidity;
  DIRMAIL_TRY(in.space());
  auto modseq = in.mod_sequence();
  if (!modseq) return std::move(modseq).error();
  out.modseq = *modseq;
  if (in.consume(' ') && in.peek() != '(') {
    auto known = uid_set(in);
    if (!known) return std::move(known).error();
    out.known_uids = std::move(*known);
    if (!in.consume(' ')) return in.expect(')', "Expected ) after QRESYNC parameters");
  }
  if (in.consume('(')) {
    auto sequence = uid_set(in);
    if (!sequence) return std::move(sequence).error();
    DIRMAIL_TRY(in.space());
    auto uids = uid_set(in);
    if (!uids) return std::move(uids).error();
    DIRMAIL_TRY(in.expect(')', "Expected ) after the sequence match data"));
    out.known_sequence = std::move(*sequence);
    out.known_sequence_uids = std::move(*uids);
  }
  return in.expect(')', "Expected ) after QRESYNC parameters");
}

}  // namespace

Status parse_select_parameters(ArgCursor& in, SelectParameters& out) {
  DIRMAIL_TRY(in.expect('(', "Expected SELECT parameters"));
  for (std::size_t count = 1;; ++count) {
    if (count > 2) return syntax_error("Too many SELECT parameters");
    auto name = in.atom();
    if (!name) return std::move(name).error();
    if (iequals(*name, "CONDSTORE")) {
      out.condstore = true;
    } else if (iequals(*name, "QRESYNC") && !out.qresync) {
      out.qresync = true;
      DIRMAIL_TRY(in.space());
      DIRMAIL_TRY(parse_qresync(in, out));
    } else {
      return syntax_error("Unknown SELECT parameter");
    }
    if (in.consume(')')) return ok_status();
    DIRMAIL_TRY(in.space());
  }
}

Status parse_fetch_modifiers(ArgCursor& in, FetchModifiers& out) {
  DIRMAIL_TRY(in.expect('(', "Expected FETCH modifiers"));
  for (std::size_t count = 1;; ++count) {
    if (count > 2) return syntax_error("Too many FETCH modifiers");
    auto name = in.atom();
    if (!name) return std::move(name).error();
    if (iequals(*name, "CHANGEDSINCE") && !out.changed_since) {
      DIRMAIL_TRY(in.space());
      auto modseq = in.mod_sequence(true);  // 0 (everything) is what clients send first
      if (!modseq) return std::move(modseq).error();
      out.changed_since = *modseq;
    } else if (iequals(*name, "VANISHED") && !out.vanished) {
      out.vanished = true;
    } else {
      return syntax_error("Unknown FETCH modifier");
    }
    if (in.consume(')')) return ok_status();
    DIRMAIL_TRY(in.space());
  }
}

Status parse_store_modifiers(ArgCursor& in, std::optional<std::uint64_t>& unchanged_since) {
  DIRMAIL_TRY(in.expect('(', "Expected STORE modifiers"));
  auto name = in.atom();
  if (!name) return std::move(name).error();
  if (!iequals(*name, "UNCHANGEDSINCE")) return syntax_error("Unknown STORE modifier");
  DIRMAIL_TRY(in.space());
  auto modseq = in.mod_sequence(true);
  if (!modseq) return std::move(modseq).error();
  unchanged_since = *modseq;
  return in.expect(')', "Expected ) after STORE modifiers");
}

}  // namespace dirmail::imap
