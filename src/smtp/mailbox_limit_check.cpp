// The mailbox limit at RCPT: mail for a full mailbox stays with the sending server,
// which retries (452 4.2.2, RFC 3463), instead of being taken and deferred in our
// queue; a message larger than the whole limit can never fit (552 5.2.2).
#include <fmt/format.h>

#include "dirmail/store/mailbox_limit.hpp"
#include "smtp_session.hpp"

namespace dirmail::smtp {

net::awaitable<bool> SmtpSession::mailbox_has_room(const std::string& address, const directory::Account& account) {
  const std::uint64_t limit = store::effective_mailbox_limit(account.mailbox_limit, options_->mailbox_limit);
  if (limit == 0 || service_->store == nullptr) co_return true;
  auto mailbox = options_->mailboxes.root_for({account.name, account.domain, account.home});
  if (!mailbox) co_return true;  // delivery reports the bad mailbox path
  auto* store = service_->store;
  auto read = [store, root = std::move(*mailbox)] { return store->usage(root); };  // named: see BlockingPool::run
  auto usage = co_await service_->pool->run(read);
  if (!usage) {
    line(log::Record::accept).with("to", address).with("error", usage.error().message)
        .warn("mailbox usage unknown; recipient accepted, delivery checks the limit");
    co_return true;
  }
  const std::uint64_t size = mail_params_.size.value_or(0);
  const auto verdict = store::check_mailbox_limit(limit, *usage, size);
  if (verdict == store::LimitVerdict::fits) co_return true;
  auto refused = line(log::Record::accept);
  refused.with("to", address).with("user", account.address()).with("usage", *usage).with("limit", limit);
  if (mail_params_.size) refused.with("size", size);
  if (verdict == store::LimitVerdict::exceeds_limit) {
    refused.info("recipient refused: message larger than the mailbox limit");
    reply(fmt::format("552 5.2.2 <{}>: Message exceeds the mailbox size limit", address));
  } else {
    refused.info("recipient refused: mailbox full");
    reply(fmt::format("452 4.2.2 <{}>: Mailbox full, try again later", address));
  }
  co_return false;
}

}  // namespace dirmail::smtp
