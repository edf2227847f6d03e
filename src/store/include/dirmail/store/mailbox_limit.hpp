#pragma once
// The mailbox limit (the original's "mailbox size limit"): how many bytes a user's
// mailbox may hold. Each account may have its own; accounts without one get the
// server-wide store.mailbox_limit. 0 = unlimited. SMTP checks it at RCPT (the client
// keeps mail that cannot be taken) and local delivery again before storing.
#include <cstdint>

namespace dirmail::store {

// The account's own limit, else the server-wide one.
constexpr std::uint64_t effective_mailbox_limit(std::uint64_t account_limit, std::uint64_t server_limit) {
  return account_limit != 0 ? account_limit : server_limit;
}

enum class LimitVerdict {
  fits,
  mailbox_full,    // temporary: room comes back when the user deletes mail
  exceeds_limit,   // permanent: the message alone is larger than the whole limit
};

// `usage`: MailStore::usage(); `size`: the message's size in bytes, 0 when not known
// (no SIZE= on MAIL FROM). A mailbox at or over its limit is full even for a message
// of unknown size.
LimitVerdict check_mailbox_limit(std::uint64_t limit, std::uint64_t usage, std::uint64_t size);

}  // namespace dirmail::store
