#include "dirmail/delivery/local_delivery.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/features/alias_table.hpp"
#include "dirmail/store/mailbox_limit.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail::delivery {
namespace {

constexpr int max_alias_depth = 8;  // alias chains longer than this are loops
constexpr std::string_view inbox = "INBOX";

log::LogLine dlog(log::Record r, const std::string& id) {
  log::LogLine l(log::service("delivery"), r);
  l.with("queue_id", id);
  return l;
}

}  // namespace

LocalDelivery::LocalDelivery(queue::Queue& queue, directory::Directory& directory, store::MailStore& store,
                             LocalDeliveryOptions options)
    : queue_(queue),
      directory_(directory),
      store_(store),
      controls_(store, queue, [this](const std::string& id) { enqueue(id); }, options.mail_control),
      options_(std::move(options)) {}

LocalDelivery::~LocalDelivery() { stop(); }

Status LocalDelivery::start() {
  auto ids = queue_.list();
  if (!ids) return std::move(ids).error();
  {
    std::lock_guard lock(mu_);
    for (auto& id : *ids) ready_.push_back(std::move(id));
    if (!ids->empty()) log::LogLine(log::service("delivery"), log::Record::sender).with("messages", ids->size()).info("recovered queue");
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.workers); ++i)
      threads_.emplace_back([this] { worker(); });
  }
  cv_.notify_all();
  return ok_status();
}

void LocalDelivery::enqueue(const std::string& id) {
  {
    std::lock_guard lock(mu_);
    ready_.push_back(id);
  }
  cv_.notify_one();
}

void LocalDelivery::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void LocalDelivery::set_options(LocalDeliveryOptions options) {
  std::lock_guard lock(mu_);
  options.workers = options_.workers;  // the worker count changes at restart only
  controls_.set_options(options.mail_control);
  options_ = std::move(options);
}

void LocalDelivery::worker() {
  std::unique_lock lock(mu_);
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    while (!deferred_.empty() && deferred_.begin()->first <= now) {
      ready_.push_back(deferred_.begin()->second);
      deferred_.erase(deferred_.begin());
    }
    if (stopping_) return;
    if (ready_.empty()) {
      if (deferred_.empty())
        cv_.wait(lock);
      else
        cv_.wait_until(lock, deferred_.begin()->first);
      continue;
    }
    std::string id = std::move(ready_.front());
    ready_.pop_front();
    auto retry = options_.retry_interval;
    lock.unlock();
    Outcome outcome = deliver(id);
    lock.lock();
    if (outcome == Outcome::retry_later) deferred_.emplace(std::chrono::steady_clock::now() + retry, id);
  }
}

LocalDelivery::Outcome LocalDelivery::deliver(const std::string& id) {
  auto msg = queue_.load(id);
  if (!msg) {
    if (msg.error().code == ErrorCode::not_found) return Outcome::done;  // delivered by another worker
    dlog(log::Record::failure, id).with("error", msg.error().message).error("cannot load queued message");
    return Outcome::retry_later;
  }
  int fd = ::open(msg->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    dlog(log::Record::failure, id).with("error", std::string(std::strerror(errno))).error("cannot open queued message");
    return Outcome::retry_later;
  }
  // Results are written to the queue only when the message stays queued: a message
  // done in one pass is simply removed (store deliveries are named by the queue id,
  // so a removal lost in a crash delivers nothing twice).
  struct Done {
    std::size_t index;
    queue::RecipientState state;
    std::string reason;
  };
  std::vector<Done> done;
  bool pending = false;
  // Journal copies (journal.addresses) name the message's other recipients.
  const auto& recipients = msg->envelope.recipients;
  const std::size_t first_journal = recipients.size() - std::min(msg->envelope.journal_copies, recipients.size());
  std::string journal_header;
  for (std::size_t i = 0; i < first_journal; ++i)
    journal_header += (i == 0 ? "Envelope-To: " : ",\r\n ") + recipients[i];
  if (!journal_header.empty()) journal_header += "\r\n";
  for (std::size_t i = 0; i < msg->envelope.recipients.size(); ++i) {
    if (msg->states[i] != queue::RecipientState::pending) continue;
    const auto& rcpt = msg->envelope.recipients[i];
    std::string reason;
    auto state = deliver_to(*msg, fd, rcpt, rcpt, i >= first_journal ? std::string_view(journal_header) : "", 0, reason);
    if (!state) {
      pending = true;
      dlog(log::Record::sender, id).with("to", rcpt).with("error", state.error().message).warn("deferred");
      continue;
    }
    if (*state == queue::RecipientState::pending) {  // deferred, and deliver_to said why
      pending = true;
      continue;
    }
    done.push_back({i, *state, std::move(reason)});
  }
  if (pending) {
    for (const auto& d : done) {
      auto recorded = queue_.set_recipient_state(id, d.index, d.state, d.reason);
      if (!recorded)
        dlog(log::Record::failure, id).with("error", recorded.error().message).error("cannot record result");
    }
  }
  ::close(fd);
  if (pending) return Outcome::retry_later;
  auto removed = queue_.remove(id);
  if (!removed) dlog(log::Record::failure, id).with("error", removed.error().message).error("cannot remove queue file");
  return Outcome::done;
}

Result<directory::Recipient> LocalDelivery::resolve_with_retry(const std::string& address) {
  RetrySchedule schedule;
  {
    std::lock_guard lock(mu_);
    schedule = options_.directory_retry;
  }
  for (int attempt = 1;; ++attempt) {
    auto resolved = directory_.resolve_recipient(address);
    if (resolved || resolved.error().code != ErrorCode::temporary_failure) return resolved;
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, schedule.wait_after(attempt), [this] { return stopping_; })) return resolved;
    if (attempt >= schedule.attempts) return resolved;
  }
}

bool LocalDelivery::mailbox_over_limit(const queue::QueuedMessage& msg, const std::string& address,
                                       const directory::Account& account, const std::string& root,
                                       std::uint64_t server_limit, std::uint64_t size, std::string& reason) {
  const std::uint64_t limit = store::effective_mailbox_limit(account.mailbox_limit, server_limit);
  if (limit == 0) return false;
  auto usage = store_.usage(root);
  if (!usage) {
    // The store is in trouble; storing the message will tell whether that is temporary.
    dlog(log::Record::failure, msg.id).with("to", address).with("error", usage.error().message)
        .warn("mailbox usage unknown; delivering without the limit check");
    return false;
  }
  const auto verdict = store::check_mailbox_limit(limit, *usage, size);
  if (verdict == store::LimitVerdict::fits) return false;
  // Deferred, not bounced: the user may make room, and the retry schedule decides when
  // to give up. A message larger than the whole limit is deferred too, for the same end.
  reason = verdict == store::LimitVerdict::mailbox_full ? "mailbox full" : "message larger than the mailbox limit";
  dlog(log::Record::sender, msg.id)
      .with("to", address)
      .with("user", account.address())
      .with("reason", reason)
      .with("usage", *usage)
      .with("limit", limit)
      .with("size", size)
      .warn("deferred");
  return true;
}

Result<queue::RecipientState> LocalDelivery::deliver_to(const queue::QueuedMessage& msg, int fd,
                                                        const std::string& address, const std::string& shown,
                                                        std::string_view extra_header, int depth, std::string& reason) {
  auto resolved = resolve_with_retry(address);
  if (!resolved) {
    if (resolved.error().code == ErrorCode::invalid_argument || resolved.error().code == ErrorCode::not_found) {
      reason = resolved.error().message;
      dlog(log::Record::failure, msg.id).with("to", address).with("reason", reason).warn("undeliverable");
      return queue::RecipientState::failed;
    }
    return std::move(resolved).error();
  }
  switch (resolved->kind) {
    case directory::RecipientKind::alias: {
      if (depth >= max_alias_depth) {
        reason = "alias loop";
        dlog(log::Record::failure, msg.id).with("to", address).with("reason", reason).warn("undeliverable");
        return queue::RecipientState::failed;
      }
      // Every target must be done for the alias to be done: a temporary failure of
      // one target retries the alias (the store bounds such duplicates to one).
      queue::RecipientState overall = queue::RecipientState::delivered;
      for (const auto& target : resolved->targets) {
        // The original keeps the alias as the recipient within one domain (",0"/",1" decide otherwise).
        bool show_target = resolved->shows_target.value_or(features::shows_real_address(address, target, features::RecipientShown::by_domain));
        auto s = deliver_to(msg, fd, target, show_target ? target : shown, extra_header, depth + 1, reason);
        if (!s) return s;
        if (*s == queue::RecipientState::pending) return s;
        if (*s == queue::RecipientState::failed) overall = queue::RecipientState::failed;
      }
      return overall;
    }
    case directory::RecipientKind::not_local:
      // Remote delivery is the outbound delivery service's job (not in this build).
      reason = "remote delivery is not configured";
      dlog(log::Record::failure, msg.id).with("to", address).with("reason", reason).warn("undeliverable");
      return queue::RecipientState::failed;
    case directory::RecipientKind::unknown:
      reason = "user unknown";
      dlog(log::Record::failure, msg.id).with("to", address).with("reason", reason).warn("undeliverable");
      return queue::RecipientState::failed;
    case directory::RecipientKind::account:
      break;
  }
  const auto& account = *resolved->account;
  if (!account.may_receive || account.state == directory::AccountState::not_mail_user) {
    reason = fmt::format("mailbox disabled ({})", directory::to_string(account.state));
    dlog(log::Record::failure, msg.id).with("to", address).with("reason", reason).warn("undeliverable");
    return queue::RecipientState::failed;
  }
  store::MailboxLocation mailboxes;
  std::uint64_t server_limit = 0;
  {
    std::lock_guard lock(mu_);
    mailboxes = options_.mailboxes;  // set_options may swap them meanwhile (SIGHUP)
    server_limit = options_.mailbox_limit;
  }
  auto root = mailboxes.root_for({account.name, account.domain, account.home});
  if (!root) return make_error(ErrorCode::temporary_failure, "mailbox path: " + root.error().message);
  std::string prefix = fmt::format("Return-Path: <{}>\r\nDelivered-To: {}\r\n{}", msg.envelope.sender, shown, extra_header);
  bool over_limit = false;
  auto store_copy = [&]() -> Status {
    // The limit counts only for a copy the mailbox keeps (IMS.CTL may forward it all);
    // storing comes before any forward, so a deferral here repeats none.
    if (mailbox_over_limit(msg, address, account, *root, server_limit, prefix.size() + msg.body_size, reason)) {
      over_limit = true;
      return make_error(ErrorCode::temporary_failure, reason);
    }
    // One copy of a queued message per mailbox, even when a crash makes us repeat this.
    store::DeliverySource source{prefix, fd, msg.body_offset, msg.body_size, {}, msg.id};
    auto stored = store_.deliver(*root, inbox, source);
    if (!stored) return std::move(stored).error();
    dlog(log::Record::sender, msg.id)
        .with("to", address)
        .with("user", account.address())
        .with("uid", stored->uid)
        .with("size", stored->size)
        .info("delivered");
    return ok_status();
  };
  // The user's IMS.CTL (forward, auto-reply, discard) around storing the copy.
  auto applied = controls_.apply({msg, fd, account, *root, msg.id}, store_copy);
  if (over_limit) return queue::RecipientState::pending;  // deferred, and logged as such
  if (!applied) return std::move(applied).error();
  return queue::RecipientState::delivered;
}

}  // namespace dirmail::delivery
