// The arguments of LIST (RFC 3501 §6.3.8 with RFC 5258 LIST-EXTENDED and RFC 6154
// SPECIAL-USE options), APPEND (RFC 3501 §6.3.11) and the flag lists STORE and APPEND
// share.
#include "argument_parsers.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/imap/command.hpp"
#include "dirmail/imap/imap_date.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {
namespace {

// list-mailbox: a string, or 1*list-char (atom chars, wildcards, ']').
Result<std::string> list_mailbox(ArgCursor& in) {
  if (in.peek() == '"' || in.peek() == '{') return in.string();
  auto word = in.word("%*]");
  if (!word) return std::move(word).error();
  return std::string(*word);
}

// "(" [option *(SP option)] ")"; `take` says whether an option is known.
template <typename Take>
Status option_list(ArgCursor& in, Take take) {
  DIRMAIL_TRY(in.expect('(', "Expected a list of options"));
  if (in.consume(')')) return ok_status();
  for (std::size_t count = 1;; ++count) {
    if (count > max_arguments) return make_error(ErrorCode::limit_exceeded, "Too many options");
    auto option = in.atom();
    if (!option) return std::move(option).error();
    if (!take(*option)) return syntax_error("Unknown LIST option");
    if (in.consume(')')) return ok_status();
    DIRMAIL_TRY(in.space());
  }
}

}  // namespace

Status parse_flags(ArgCursor& in, bool parenthesised, std::uint8_t& flags, std::vector<std::string>& keywords) {
  if (parenthesised) DIRMAIL_TRY(in.expect('(', "Expected a flag list"));
  std::size_t count = 0;
  for (;;) {
    if (parenthesised && in.consume(')')) return ok_status();
    if (count > 0) DIRMAIL_TRY(in.space());
    if (++count > max_flags) return make_error(ErrorCode::limit_exceeded, "Too many flags");
    bool system = in.consume('\\');
    auto name = in.atom();
    if (!name) return std::move(name).error();
    if (!system) {
      keywords.emplace_back(*name);
    } else if (iequals(*name, "Seen")) {
      flags |= store::flag_seen;
    } else if (iequals(*name, "Answered")) {
      flags |= store::flag_answered;
    } else if (iequals(*name, "Flagged")) {
      flags |= store::flag_flagged;
    } else if (iequals(*name, "Deleted")) {
      flags |= store::flag_deleted;
    } else if (iequals(*name, "Draft")) {
      flags |= store::flag_draft;
    } else if (iequals(*name, "Recent")) {
      return syntax_error("\\Recent cannot be stored");
    } else {
      // A flag-extension: no such flag is defined, and none is stored.
    }
    if (!parenthesised && in.peek() != ' ') return ok_status();
  }
}

Status parse_list_arguments(ArgCursor& in, ImapCommand& cmd) {
  ListOptions& list = cmd.list;
  const bool lsub = cmd.name == CommandName::lsub;
  DIRMAIL_TRY(in.space());
  if (!lsub && in.peek() == '(') {
    list.extended = true;
    bool other = false;  // a selection option RECURSIVEMATCH can go with
    DIRMAIL_TRY(option_list(in, [&](std::string_view o) {
      if (iequals(o, "SUBSCRIBED")) list.select_subscribed = other = true;
      else if (iequals(o, "SPECIAL-USE")) list.select_special_use = other = true;
      else if (iequals(o, "RECURSIVEMATCH")) list.recursive_match = true;
      else if (!iequals(o, "REMOTE")) return false;  // no remote mailboxes here: nothing to add
      return true;
    }));
    if (list.recursive_match && !other) return syntax_error("RECURSIVEMATCH needs another selection option");
    DIRMAIL_TRY(in.space());
  }
  auto reference = in.astring();
  if (!reference) return std::move(reference).error();
  cmd.args.push_back(std::move(*reference));
  DIRMAIL_TRY(in.space());
  if (!lsub && in.consume('(')) {
    list.extended = true;
    for (;;) {
      if (cmd.args.size() > max_arguments) return make_error(ErrorCode::limit_exceeded, "Too many patterns");
      auto pattern = list_mailbox(in);
      if (!pattern) return std::move(pattern).error();
      cmd.args.push_back(std::move(*pattern));
      if (in.consume(')')) break;
      DIRMAIL_TRY(in.space());
    }
  } else {
    auto pattern = list_mailbox(in);
    if (!pattern) return std::move(pattern).error();
    cmd.args.push_back(std::move(*pattern));
  }
  if (lsub || !in.consume(' ')) return ok_status();
  auto word = in.atom();
  if (!word || !iequals(*word, "RETURN")) return syntax_error("Expected RETURN");
  list.extended = true;
  DIRMAIL_TRY(in.space());
  return option_list(in, [&](std::string_view o) {
    if (iequals(o, "SUBSCRIBED")) list.return_subscribed = true;
    else if (iequals(o, "CHILDREN")) list.return_children = true;
    else if (iequals(o, "SPECIAL-USE")) list.return_special_use = true;
    else return false;
    return true;
  });
}

Status parse_append_arguments(ArgCursor& in, ImapCommand& cmd, std::size_t base) {
  AppendArguments& append = cmd.append;
  DIRMAIL_TRY(in.space());
  auto mailbox = in.astring();
  if (!mailbox) return std::move(mailbox).error();
  cmd.args.push_back(std::move(*mailbox));
  DIRMAIL_TRY(in.space());
  if (in.peek() == '(') {
    DIRMAIL_TRY(parse_flags(in, true, append.flags, append.keywords));
    DIRMAIL_TRY(in.space());
  }
  if (in.peek() == '"') {
    auto text = in.quoted();
    if (!text) return std::move(text).error();
    append.internal_date = parse_date_time(*text);
    if (!append.internal_date) return syntax_error("Invalid date-time");
    DIRMAIL_TRY(in.space());
  }
  auto message = in.literal_in_place(max_append_message, true);
  if (!message) return std::move(message).error();
  append.message_offset = base + message->first;
  append.message_size = message->second;
  append.message_elided = in.elided_taken();
  return ok_status();
}

}  // namespace dirmail::imap
