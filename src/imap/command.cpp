// IMAP4rev1 command grammar (RFC 3501 §9) plus UID EXPUNGE (RFC 4315), UNSELECT
// (RFC 3691), IDLE (RFC 2177), ID (RFC 2971), NAMESPACE (RFC 2342), LITERAL+ (RFC 7888),
// MOVE (RFC 6851), ENABLE (RFC 5161), QUOTA (RFC 9208), ESEARCH (RFC 4731), SORT and
// THREAD (RFC 5256), CONDSTORE and QRESYNC (RFC 7162); LIST and APPEND arguments are in
// mailbox_arguments.cpp, RFC 7162's in condstore_arguments.cpp.
#include "dirmail/imap/command.hpp"

#include <array>

#include "argument_parsers.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/imap/imap_string.hpp"

namespace dirmail::imap {
namespace {

struct NamedCommand {
  std::string_view name;
  CommandName command;
};

constexpr std::array<NamedCommand, 35> commands{{
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

bool tag_char(char c) { return (is_atom_char(c) || c == ']') && c != '+'; }

Result<SequenceSet> sequence_arg(ArgCursor& in) {
  DIRMAIL_TRY(in.space());
  auto text = in.word("*");  // '*' is not an ATOM-CHAR but is part of sequence sets
  if (!text) return std::move(text).error();
  return parse_sequence_set(*text);
}

Status mailbox_args(ArgCursor& in, ImapCommand& cmd, int count) {
  for (int i = 0; i < count; ++i) {
    DIRMAIL_TRY(in.space());
    auto name = in.astring();
    if (!name) return std::move(name).error();
    cmd.args.push_back(std::move(*name));
  }
  return ok_status();
}

Status parse_store(ArgCursor& in, ImapCommand& cmd) {
  auto seq = sequence_arg(in);
  if (!seq) return std::move(seq).error();
  cmd.sequence = std::move(*seq);
  DIRMAIL_TRY(in.space());
  StoreAction& action = cmd.store;
  if (in.peek() == '(') {
    DIRMAIL_TRY(parse_store_modifiers(in, action.unchanged_since));
    DIRMAIL_TRY(in.space());
  }
  if (in.consume('+')) action.mode = StoreAction::Mode::add;
  else if (in.consume('-')) action.mode = StoreAction::Mode::remove;
  auto item = in.atom();
  if (!item) return std::move(item).error();
  if (iequals(*item, "FLAGS.SILENT")) action.silent = true;
  else if (!iequals(*item, "FLAGS")) return syntax_error("Expected FLAGS, +FLAGS or -FLAGS");
  DIRMAIL_TRY(in.space());
  return parse_flags(in, in.peek() == '(', action.flags, action.keywords);
}

Status parse_id(ArgCursor& in, ImapCommand& cmd) {
  DIRMAIL_TRY(in.space());
  if (!in.consume('(')) {
    auto nil = in.atom();
    if (!nil || !iequals(*nil, "NIL")) return syntax_error("ID expects a list or NIL");
    return ok_status();
  }
  for (;;) {
    if (cmd.args.size() >= max_arguments) return make_error(ErrorCode::limit_exceeded, "Too many ID fields");
    auto field = in.string();
    if (!field) return std::move(field).error();
    DIRMAIL_TRY(in.space());
    bool nil = false;
    auto value = in.nstring(nil);
    if (!value) return std::move(value).error();
    cmd.args.push_back(std::move(*field));
    cmd.args.push_back(std::move(*value));
    if (in.consume(')')) return ok_status();
    DIRMAIL_TRY(in.space());
  }
}

Status parse_status(ArgCursor& in, ImapCommand& cmd) {
  DIRMAIL_TRY(mailbox_args(in, cmd, 1));
  DIRMAIL_TRY(in.space());
  DIRMAIL_TRY(in.expect('(', "Expected a list of status items"));
  for (;;) {
    if (cmd.status_items.size() >= max_arguments) return make_error(ErrorCode::limit_exceeded, "Too many status items");
    auto item = in.atom();
    if (!item) return std::move(item).error();
    std::string upper;
    for (char c : *item) upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
    if (upper != "MESSAGES" && upper != "RECENT" && upper != "UIDNEXT" && upper != "UIDVALIDITY" && upper != "UNSEEN" &&
        upper != "HIGHESTMODSEQ")
      return syntax_error("Unknown status item");
    cmd.status_items.push_back(std::move(upper));
    if (in.consume(')')) return ok_status();
    DIRMAIL_TRY(in.space());
  }
}

// RFC 5161: "ENABLE" 1*(SP capability); the names are kept as sent.
Status parse_enable(ArgCursor& in, ImapCommand& cmd) {
  do {
    if (cmd.args.size() >= max_arguments) return make_error(ErrorCode::limit_exceeded, "Too many capabilities");
    DIRMAIL_TRY(in.space());
    auto name = in.atom();
    if (!name) return std::move(name).error();
    cmd.args.emplace_back(*name);
  } while (!in.at_end());
  return ok_status();
}

// RFC 9208 §4.1.3: quota-root SP "(" [setquota-resource *(SP setquota-resource)] ")",
// setquota-resource = resource-name SP number64. Checked, then refused by the session.
Status parse_setquota(ArgCursor& in, ImapCommand& cmd) {
  DIRMAIL_TRY(mailbox_args(in, cmd, 1));
  DIRMAIL_TRY(in.space());
  DIRMAIL_TRY(in.expect('(', "Expected a list of resource limits"));
  if (in.consume(')')) return ok_status();
  for (std::size_t resources = 0;; ++resources) {
    if (resources >= max_arguments) return make_error(ErrorCode::limit_exceeded, "Too many resource limits");
    auto resource = in.atom();
    if (!resource) return std::move(resource).error();
    DIRMAIL_TRY(in.space());
    auto limit = in.atom();  // number64: wider than number(), and never used
    if (!limit) return std::move(limit).error();
    for (char c : *limit)
      if (c < '0' || c > '9') return syntax_error("Expected a resource limit");
    if (in.consume(')')) return ok_status();
    DIRMAIL_TRY(in.space());
  }
}

Status parse_arguments(ArgCursor& in, ImapCommand& cmd, std::size_t base) {
  switch (cmd.name) {
    case CommandName::capability: case CommandName::noop: case CommandName::logout:
    case CommandName::starttls: case CommandName::namespace_: case CommandName::check:
    case CommandName::close: case CommandName::unselect: case CommandName::idle:
      return ok_status();
    case CommandName::expunge:
      if (!cmd.uid) return ok_status();
      {
        auto seq = sequence_arg(in);
        if (!seq) return std::move(seq).error();
        cmd.sequence = std::move(*seq);
      }
      return ok_status();
    case CommandName::id: return parse_id(in, cmd);
    case CommandName::login: return mailbox_args(in, cmd, 2);
    case CommandName::authenticate: {
      DIRMAIL_TRY(in.space());
      auto mech = in.atom();
      if (!mech) return std::move(mech).error();
      cmd.args.emplace_back(*mech);
      if (in.consume(' ')) {  // SASL-IR (RFC 4959): base64 or "="
        auto ir = in.atom();
        if (!ir) return std::move(ir).error();
        cmd.args.emplace_back(*ir);
      }
      return ok_status();
    }
    case CommandName::select: case CommandName::examine:
      DIRMAIL_TRY(mailbox_args(in, cmd, 1));
      if (in.consume(' ')) return parse_select_parameters(in, cmd.select);
      return ok_status();
    case CommandName::create:
    case CommandName::delete_mailbox: case CommandName::subscribe: case CommandName::unsubscribe:
    case CommandName::getquota: case CommandName::getquotaroot:
      return mailbox_args(in, cmd, 1);
    case CommandName::setquota: return parse_setquota(in, cmd);
    case CommandName::enable: return parse_enable(in, cmd);
    case CommandName::rename: return mailbox_args(in, cmd, 2);
    case CommandName::list: case CommandName::lsub: return parse_list_arguments(in, cmd);
    case CommandName::status: return parse_status(in, cmd);
    case CommandName::append: return parse_append_arguments(in, cmd, base);
    case CommandName::fetch: {
      auto seq = sequence_arg(in);
      if (!seq) return std::move(seq).error();
      cmd.sequence = std::move(*seq);
      DIRMAIL_TRY(in.space());
      auto items = parse_fetch_items(in);
      if (!items) return std::move(items).error();
      cmd.fetch = std::move(*items);
      if (in.consume(' ')) {
        DIRMAIL_TRY(parse_fetch_modifiers(in, cmd.fetch_modifiers));
        // RFC 7162 §3.2.6: VANISHED only with UID FETCH and CHANGEDSINCE.
        if (cmd.fetch_modifiers.vanished && (!cmd.uid || !cmd.fetch_modifiers.changed_since))
          return syntax_error("VANISHED needs UID FETCH and CHANGEDSINCE");
      }
      return ok_status();
    }
    case CommandName::store: return parse_store(in, cmd);
    case CommandName::copy: case CommandName::move: {
      auto seq = sequence_arg(in);
      if (!seq) return std::move(seq).error();
      cmd.sequence = std::move(*seq);
      return mailbox_args(in, cmd, 1);
    }
    case CommandName::search: {
      DIRMAIL_TRY(parse_search_return(in, cmd.search_return));
      auto key = parse_search_criteria(in, cmd.charset);
      if (!key) return std::move(key).error();
      cmd.search = std::move(*key);
      return ok_status();
    }
    case CommandName::sort: return parse_sort_arguments(in, cmd);
    case CommandName::thread: return parse_thread_arguments(in, cmd);
  }
  return syntax_error("Unknown command");
}

}  // namespace

std::string_view command_tag(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && n <= max_tag && tag_char(text[n])) ++n;
  if (n == 0 || n > max_tag) return {};
  if (n < text.size() && text[n] != ' ') return {};
  return text.substr(0, n);
}

std::string command_word(std::string_view text) {
  auto tag = command_tag(text);
  if (tag.empty()) return {};
  std::string_view rest = text.substr(tag.size());
  std::string word;
  for (int words = 0; words < 2; ++words) {
    if (rest.empty() || rest[0] != ' ') break;
    rest.remove_prefix(1);
    std::size_t n = 0;
    while (n < rest.size() && n < 16 && ((rest[n] >= 'A' && rest[n] <= 'Z') || (rest[n] >= 'a' && rest[n] <= 'z'))) ++n;
    if (n == 0) break;
    if (!word.empty()) word += ' ';
    for (char c : rest.substr(0, n)) word.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
    rest.remove_prefix(n);
    if (word != "UID") break;
  }
  return word;
}

std::optional<LiteralMarker> trailing_literal(std::string_view line) {
  if (line.size() < 3 || line.back() != '}') return std::nullopt;
  std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inside = line.substr(open + 1, line.size() - open - 2);
  LiteralMarker marker;
  if (!inside.empty() && inside.back() == '+') {
    marker.synchronizing = false;
    inside.remove_suffix(1);
  }
  auto size = parse_decimal(inside, inside.size());  // saturates: any limit refuses it
  if (!size) return std::nullopt;
  marker.size = *size;
  return marker;
}

bool is_append_message_literal(std::string_view text) {
  if (command_word(text) != "APPEND") return false;
  std::string_view rest = text.substr(command_tag(text).size() + 1);  // "APPEND ..."
  const std::size_t space = rest.find(' ');
  if (space == std::string_view::npos) return false;
  rest.remove_prefix(space + 1);
  // Only the mailbox's own literal comes straight after "APPEND ", and nothing follows its marker.
  return !rest.empty() && !(rest.front() == '{' && rest.find('}') == rest.size() - 1);
}

Result<ImapCommand> parse_imap_command(std::string_view text, std::optional<ElidedLiteral> elided) {
  // Only APPEND's message may take a command past max_command_bytes.
  if (text.size() > max_command_bytes + max_append_message ||
      (text.size() > max_command_bytes && command_word(text) != "APPEND"))
    return make_error(ErrorCode::limit_exceeded, "Command too long");
  ImapCommand cmd;
  std::string_view tag = command_tag(text);
  if (tag.empty()) return syntax_error("Missing or invalid tag");
  cmd.tag = std::string(tag);
  if (elided && (elided->offset < tag.size() || elided->offset > text.size()))
    return syntax_error("Misplaced literal");
  if (elided) elided->offset -= tag.size();
  ArgCursor in(text.substr(tag.size()), elided);
  DIRMAIL_TRY(in.space());
  auto word = in.atom();
  if (!word) return syntax_error("Missing command");
  std::string_view name = *word;
  if (iequals(name, "UID")) {
    cmd.uid = true;
    DIRMAIL_TRY(in.space());
    word = in.atom();
    if (!word) return syntax_error("Missing command after UID");
    name = *word;
  }
  bool found = false;
  for (const auto& c : commands)
    if (iequals(name, c.name)) {
      cmd.name = c.command;
      found = true;
    }
  if (!found) return syntax_error("Unknown command");
  if (cmd.uid) {
    switch (cmd.name) {
      case CommandName::fetch: case CommandName::store: case CommandName::search:
      case CommandName::copy: case CommandName::move: case CommandName::expunge:
      case CommandName::sort: case CommandName::thread:
        break;
      default:
        return syntax_error("Command cannot be used with UID");
    }
  }
  DIRMAIL_TRY(parse_arguments(in, cmd, tag.size()));
  DIRMAIL_TRY(in.end());
  if (elided && !in.elided_taken()) return syntax_error("Unexpected literal");
  return cmd;
}

}  // namespace dirmail::imap
