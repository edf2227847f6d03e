// QUOTA (RFC 9208): one quota root, "", for the whole of an account's mailbox, with
// the STORAGE resource in units of 1024 octets. Its limit is the account's mailbox
// limit, else store.mailbox_limit (mailbox_limit.hpp); a mailbox without a limit has
// no quota root. Limits come from the directory or the settings: SETQUOTA is refused
// (and QUOTASET not offered).
#include <fmt/format.h>

#include "dirmail/imap/imap_string.hpp"
#include "dirmail/store/mailbox_limit.hpp"
#include "imap_session.hpp"

namespace dirmail::imap {
namespace {

constexpr std::string_view quota_root = "";
constexpr std::uint64_t storage_unit = 1024;  // RFC 9208 §5.1

}  // namespace

// Usage rounds up and the limit down: a client never sees more room than there is.
net::awaitable<bool> ImapSession::quota_response(const std::string& tag, std::uint64_t limit) {
  auto* st = service_->store;
  auto read = [st, root = mailbox_root_] { return st->usage(root); };  // named: see BlockingPool::run
  auto usage = co_await service_->pool->run(read);
  if (!usage) {
    line(log::Record::store).with("error", usage.error().message).error("cannot read mailbox usage");
    tagged(tag, "NO [UNAVAILABLE] Cannot read the mailbox usage, try again later");
    co_return false;
  }
  const std::uint64_t used = *usage / storage_unit + (*usage % storage_unit != 0 ? 1 : 0);
  reply(fmt::format("* QUOTA \"\" (STORAGE {} {})", used, limit / storage_unit));
  co_return true;
}

net::awaitable<void> ImapSession::quota(const ImapCommand& cmd) {
  const std::uint64_t limit = store::effective_mailbox_limit(mailbox_limit_, options_->mailbox_limit);
  switch (cmd.name) {
    case CommandName::getquota:
      if (limit == 0 || cmd.args[0] != quota_root) {
        tagged(cmd.tag, "NO [NONEXISTENT] No such quota root");
        co_return;
      }
      if (co_await quota_response(cmd.tag, limit)) tagged(cmd.tag, "OK GETQUOTA completed");
      co_return;
    case CommandName::getquotaroot: {
      auto name = folder_from_client(cmd.tag, cmd.args[0]);
      if (!name) co_return;
      if (!co_await open_mailbox(cmd.tag, *name, "cannot find mailbox for GETQUOTAROOT")) co_return;
      std::string roots = "* QUOTAROOT ";
      append_astring(roots, cmd.args[0]);  // the name as the client wrote it
      if (limit == 0) {  // RFC 9208 §4.2.2: a mailbox may have no quota root at all
        reply(roots);
      } else {
        reply(roots + " \"\"");
        if (!co_await quota_response(cmd.tag, limit)) co_return;
      }
      tagged(cmd.tag, "OK GETQUOTAROOT completed");
      co_return;
    }
    default:  // SETQUOTA
      tagged(cmd.tag, "NO [NOPERM] Quota limits are set by the directory or the server settings");
      co_return;
  }
}

}  // namespace dirmail::imap
