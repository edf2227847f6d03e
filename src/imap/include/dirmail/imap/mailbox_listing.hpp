#pragma once
// The answers to LIST and LSUB (RFC 3501 §6.3.8-9; RFC 5258 LIST-EXTENDED, RFC 3348
// CHILDREN, RFC 6154 SPECIAL-USE) as a pure function of the folders, the
// subscriptions and the request, so every rule can be tested without a store.
//
// Names match in their wire form (modified UTF-7), as the client wrote the patterns.
// A level that is no folder but has one below it (an implied parent, "a" of "a/b")
// is listed when the pattern stops at it ("%"): \Noselect, or \NonExistent with the
// extended syntax. Children and special use are always reported (the RETURN options
// only ask for what is given anyway). RECURSIVEMATCH gives CHILDINFO ("SUBSCRIBED")
// with the SUBSCRIBED selection; with SPECIAL-USE alone it changes nothing.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/imap/command.hpp"

namespace dirmail::imap {

struct ListRequest {
  bool lsub = false;
  std::string_view reference;
  std::span<const std::string> patterns;  // as sent
  ListOptions options;
};

// The untagged responses, without CRLF: INBOX first, then in byte order of the UTF-8
// names. `folders`: MailStore::list_folders(); `subscriptions`: the subscribed UTF-8
// names (INBOX is always subscribed).
std::vector<std::string> list_mailboxes(const ListRequest& request, std::span<const std::string> folders,
                                        std::span<const std::string> subscriptions);

}  // namespace dirmail::imap
