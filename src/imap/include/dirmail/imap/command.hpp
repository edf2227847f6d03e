#pragma once
// IMAP4rev1 command parsing (RFC 3501 §9), as a pure function over one whole command:
// the command line with its literals inline, exactly as received:
//   a1 LOGIN {5}\r\nalice "secret"
// The session reads that text with the framing limits below and then calls
// parse_imap_command(); the parser never reads the network, so it can be fuzzed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/imap/esearch_response.hpp"
#include "dirmail/imap/fetch_item.hpp"
#include "dirmail/imap/search_key.hpp"
#include "dirmail/imap/sequence_set.hpp"
#include "dirmail/imap/sort_criteria.hpp"

namespace dirmail::imap {

inline constexpr std::size_t max_command_line = 64 * 1024;   // one line of a command, without CRLF
inline constexpr std::size_t max_literal = 64 * 1024;        // one literal (commands other than APPEND)
inline constexpr std::size_t max_command_bytes = 256 * 1024; // lines and literals of one command
// The largest APPEND message literal (on top of max_command_bytes), whatever
// ImapOptions::max_append_size says.
inline constexpr std::size_t max_append_message = 64 * 1024 * 1024;
// An APPEND message above this many bytes is spooled to a file as it arrives; smaller
// ones stay in the command text (cheap, and no file per APPEND). At least max_literal,
// so that no other command's literal could be taken for a spooled one.
inline constexpr std::size_t message_spool_threshold = 64 * 1024;
static_assert(message_spool_threshold >= max_literal);
inline constexpr std::size_t max_literals = 64;              // literals in one command
inline constexpr std::size_t max_tag = 64;
inline constexpr std::size_t max_flags = 64;
inline constexpr std::size_t max_arguments = 64;  // strings of ID, STATUS, ENABLE, SETQUOTA; LIST patterns

enum class CommandName {
  capability, noop, logout, id, starttls, login, authenticate,
  select, examine, create, delete_mailbox, rename, subscribe, unsubscribe, list, lsub, status,
  append, namespace_, check, close, unselect, expunge, search, fetch, store, copy, move, idle,
  sort, thread,
  enable, getquota, getquotaroot, setquota,
};

struct StoreAction {
  enum class Mode { replace, add, remove };
  Mode mode = Mode::replace;
  bool silent = false;
  std::uint8_t flags = 0;         // store::Flag bits
  std::vector<std::string> keywords;  // flag-keywords as given (flag-extensions are dropped)
  std::optional<std::uint64_t> unchanged_since;  // RFC 7162 (UNCHANGEDSINCE n)
};

// SELECT/EXAMINE parameters (RFC 4466 §2.4): CONDSTORE and QRESYNC (RFC 7162 §3.2.5).
struct SelectParameters {
  bool condstore = false;
  bool qresync = false;
  std::uint32_t uidvalidity = 0;   // QRESYNC: what the client knows
  std::uint64_t modseq = 0;
  std::optional<SequenceSet> known_uids;
  // seq-match-data: the client's sequence numbers and the UIDs they had.
  std::optional<SequenceSet> known_sequence;
  std::optional<SequenceSet> known_sequence_uids;
};

// FETCH modifiers (RFC 7162 §3.1.4.1, §3.2.6): (CHANGEDSINCE n [VANISHED]).
struct FetchModifiers {
  std::optional<std::uint64_t> changed_since;
  bool vanished = false;
};

// LIST options (RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE). Without any of the
// extended syntax LIST is RFC 3501's.
struct ListOptions {
  bool extended = false;            // selection options, RETURN or a pattern list given
  bool select_subscribed = false;   // SUBSCRIBED: the subscribed names, \Subscribed
  bool select_special_use = false;  // SPECIAL-USE: only folders with a special use
  bool recursive_match = false;     // RECURSIVEMATCH: CHILDINFO for parents of matches
  bool return_subscribed = false;   // RETURN (SUBSCRIBED)
  bool return_children = false;     // RETURN (CHILDREN); children are always reported
  bool return_special_use = false;  // RETURN (SPECIAL-USE); always reported too
};

// APPEND's flags, date and message (RFC 3501 §6.3.11). The message is not copied: it
// is the bytes [message_offset, message_offset + message_size) of the parsed text, or,
// when `message_elided`, the literal the framing kept out of the text (ElidedLiteral).
struct AppendArguments {
  std::uint8_t flags = 0;                    // store::Flag bits
  std::vector<std::string> keywords;         // flag-keywords as given
  std::optional<std::int64_t> internal_date; // unix seconds
  std::size_t message_offset = 0;
  std::size_t message_size = 0;
  bool message_elided = false;
};

struct ImapCommand {
  std::string tag;
  CommandName name = CommandName::noop;
  bool uid = false;                // UID FETCH / STORE / SEARCH / COPY / MOVE / EXPUNGE
  // Strings in order: LOGIN user password; AUTHENTICATE mechanism [initial response];
  // SELECT/EXAMINE/CREATE/DELETE/SUBSCRIBE/UNSUBSCRIBE/STATUS/COPY/MOVE/APPEND mailbox;
  // RENAME from to; LIST/LSUB reference pattern... (RFC 5258 allows several patterns);
  // ID field value ... (NIL: ""); ENABLE capability...; GETQUOTAROOT mailbox;
  // GETQUOTA and SETQUOTA quota root (SETQUOTA's limits are checked, not kept).
  std::vector<std::string> args;
  std::vector<std::string> status_items;  // STATUS, upper case
  SequenceSet sequence;                   // FETCH, STORE, COPY, MOVE, UID EXPUNGE
  std::vector<FetchItem> fetch;
  FetchModifiers fetch_modifiers;         // FETCH
  SelectParameters select;                // SELECT, EXAMINE
  StoreAction store;
  SearchKey search;                       // an AND of the criteria
  std::string charset;                    // SEARCH CHARSET, SORT/THREAD charset, upper case; empty if absent
  std::optional<SearchReturn> search_return;  // SEARCH RETURN (...) (RFC 4731): answer with ESEARCH
  std::vector<SortCriterion> sort;        // SORT
  ThreadAlgorithm thread = ThreadAlgorithm::references;  // THREAD
  ListOptions list;                       // LIST
  AppendArguments append;                 // APPEND
};

// A literal whose "{n}\r\n" is in the command text but whose n bytes are not (the
// framing spooled APPEND's large message to a file); they would start at `offset`.
// Only APPEND's message may be elided: anywhere else the command is refused.
struct ElidedLiteral {
  std::size_t offset = 0;
  std::size_t size = 0;
};

Result<ImapCommand> parse_imap_command(std::string_view text, std::optional<ElidedLiteral> elided = std::nullopt);

// The tag of a command that failed to parse, for "tag BAD ..."; empty when there is
// none usable (the reply is then "* BAD").
std::string_view command_tag(std::string_view text);

// A literal announced at the end of a command line: "{n}" (the client waits for a
// continuation) or "{n+}" (RFC 7888 LITERAL+: it does not).
struct LiteralMarker {
  std::uint64_t size = 0;  // UINT64_MAX when the number does not fit
  bool synchronizing = true;
};
std::optional<LiteralMarker> trailing_literal(std::string_view line);

// The command name of a (possibly partial) command text, upper case: "LOGIN",
// "UID FETCH"... Empty when there is none. Lets the framing treat APPEND's message
// literal apart from the others.
std::string command_word(std::string_view text);

// Whether the literal announced at the end of `text` (a command read so far, up to
// and including "{n}") carries an APPEND message: every literal of APPEND but the one
// that spells its mailbox name does (flags are atoms and the date a quoted string).
bool is_append_message_literal(std::string_view text);

}  // namespace dirmail::imap
