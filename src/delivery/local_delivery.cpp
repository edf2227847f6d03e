#include "dirmail/delivery/local_delivery.hpp"

#include <cerrno>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/metrics.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"
#include "dirmail/queue/delivery_report.hpp"
#include "dirmail/queue/queue_copy.hpp"
#include "dirmail/queue/queue_id.hpp"
#include "dirmail/queue/report_queueing.hpp"
#include "dirmail/features/alias_table.hpp"
#include "dirmail/store/mailbox_limit.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail::delivery {
namespace {

constexpr int max_alias_depth = 8;  // alias chains longer than this are loops
constexpr std::string_view inbox = "INBOX";

// "5 days", "4 h" or "90 s", for the text of a bounce.
std::string duration_text(std::chrono::seconds s) {
  if (s.count() % 86400 == 0) return fmt::format("{} days", s.count() / 86400);
  if (s.count() % 3600 == 0) return fmt::format("{} h", s.count() / 3600);
  return fmt::format("{} s", s.count());
}

log::LogLine dlog(log::Record r, const std::string& id) {
  log::LogLine l(log::service("delivery"), r);
  l.with("queue_id", id);
  return l;
}

// One delivery pass's recipient outcomes: done ones (delivered or failed) and those
// tried and left for later, each by route (local mailbox, or another domain's server).
// Journal copies (from `first_journal` on) are not recipients of the sender's; remote
// recipients `untried` (their destination busy) had no attempt.
template <typename DoneList>
void count_outcomes(const queue::QueuedMessage& msg, std::size_t first_journal, const DoneList& done,
                    const std::map<std::string, std::vector<std::size_t>>& remote,
                    const std::vector<std::size_t>& untried) {
  static metrics::Family& recipients = metrics::counter(
      "dirmail_recipients_total", "Delivery attempts per recipient, by route (local, remote) and outcome "
      "(delivered, failed, deferred: to be tried again).", {"route", "outcome"});
  std::set<std::size_t> remote_indices;
  for (const auto& [domain, indices] : remote) remote_indices.insert(indices.begin(), indices.end());
  const std::set<std::size_t> skipped(untried.begin(), untried.end());
  std::int64_t pending_local = 0, pending_remote = 0;
  for (std::size_t i = 0; i < std::min(first_journal, msg.states.size()); ++i)
    if (msg.states[i] == queue::RecipientState::pending && !skipped.count(i))
      ++(remote_indices.count(i) ? pending_remote : pending_local);
  for (const auto& d : done) {
    if (d.index >= first_journal) continue;
    const bool is_remote = remote_indices.count(d.index) > 0;
    --(is_remote ? pending_remote : pending_local);
    recipients.with({is_remote ? "remote" : "local", d.state == queue::RecipientState::delivered ? "delivered" : "failed"})
        .add();
  }
  if (pending_local > 0) recipients.with({"local", "deferred"}).add(pending_local);
  if (pending_remote > 0) recipients.with({"remote", "deferred"}).add(pending_remote);
}

// Bounces (action failed), delay notices (delayed) and the other reports queued, to the
// sender or as the postmaster's copy (delivery.admin_error_copy).
void count_report(queue::ReportAction action, bool to_sender) {
  static metrics::Family& reports = metrics::counter(
      "dirmail_delivery_reports_total", "Delivery status notifications queued, by action (failed: bounces; "
      "delayed: delay notices) and recipient (sender, or postmaster: the administrator's copy).", {"action", "to"});
  reports.with({queue::to_string(action), to_sender ? "sender" : "postmaster"}).add();
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
  std::lock_guard life(lifecycle_);
  {
    std::lock_guard lock(mu_);
    if (!threads_.empty()) return ok_status();
  }
  auto ids = queue_.list();
  if (!ids) return std::move(ids).error();
  {
    std::lock_guard lock(mu_);
    // Started again (a cluster node made active again): the folder tells what is queued.
    stopping_ = false;
    ready_.clear();
    deferred_.clear();
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

void LocalDelivery::flush() {
  // Released messages are in none of the lists below: the folder tells.
  auto ids = queue_.list();
  if (!ids) log::LogLine(log::service("delivery"), log::Record::failure).with("error", ids.error().message).error("cannot list the queue");
  std::size_t woken = 0;
  {
    std::lock_guard lock(mu_);
    std::set<std::string> known(ready_.begin(), ready_.end());
    known.insert(in_flight_.begin(), in_flight_.end());
    for (auto& [when, id] : deferred_)
      if (known.insert(id).second) ready_.push_back(std::move(id));
    woken = deferred_.size();
    deferred_.clear();
    if (ids)
      for (auto& id : *ids)
        if (known.insert(id).second) ready_.push_back(std::move(id));
  }
  cv_.notify_all();
  log::LogLine(log::service("delivery"), log::Record::sender).with("deferred", woken).info("queue flushed");
}

void LocalDelivery::stop() {
  std::lock_guard life(lifecycle_);  // one start or stop at a time (a cluster node's gate, shutdown)
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    workers.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : workers)
    if (t.joinable()) t.join();
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
      else  // a copy: another worker may erase the entry while this one waits
        cv_.wait_until(lock, std::chrono::steady_clock::time_point(deferred_.begin()->first));
      continue;
    }
    std::string id = std::move(ready_.front());
    ready_.pop_front();
    if (!in_flight_.insert(id).second) continue;  // another worker has it and re-defers it if need be
    auto retry = options_.retry_interval;
    lock.unlock();
    std::optional<std::chrono::seconds> retry_after;
    Outcome outcome = deliver(id, retry_after);
    lock.lock();
    in_flight_.erase(id);
    if (retry_after) retry = std::max(std::chrono::seconds(1), *retry_after);
    if (outcome == Outcome::retry_later) deferred_.emplace(std::chrono::steady_clock::now() + retry, id);
  }
}

LocalDelivery::QueueSummary LocalDelivery::queue_summary() const {
  std::lock_guard lock(mu_);
  std::set<std::string_view> ids(ready_.begin(), ready_.end());
  for (const auto& [when, id] : deferred_) ids.insert(id);
  ids.insert(in_flight_.begin(), in_flight_.end());
  QueueSummary summary;
  summary.messages = ids.size();
  for (std::string_view id : ids) {
    auto arrival = queue::queue_id_arrival_us(id);
    if (arrival && (!summary.oldest_arrival_us || *arrival < *summary.oldest_arrival_us))
      summary.oldest_arrival_us = arrival;
  }
  return summary;
}

LocalDelivery::Outcome LocalDelivery::deliver(const std::string& id, std::optional<std::chrono::seconds>& retry_after) {
  // The claim keeps dirmailctl queue hold|delete|bounce off the message meanwhile
  // (queue/message_claim.hpp).
  auto claimed = queue_.claim(id);
  if (!claimed) {
    // Delivered by another worker, or held or removed by a command.
    if (claimed.error().code == ErrorCode::not_found) return Outcome::done;
    if (claimed.error().code == ErrorCode::temporary_failure)  // a command has it, or the share is away
      dlog(log::Record::sender, id).with("reason", claimed.error().message).info("deferred: cannot take the queued message");
    else
      dlog(log::Record::failure, id).with("error", claimed.error().message).error("cannot load queued message");
    return Outcome::retry_later;
  }
  const queue::QueuedMessage* msg = &claimed->message;
  const int fd = claimed->fd.get();

  // Results are written to the queue only when the message stays queued: a message
  // done in one pass is simply removed (store deliveries are named by the queue id,
  // so a removal lost in a crash delivers nothing twice).
  std::vector<Done> done;
  std::vector<queue::RecipientOutcome> delayed;  // delay notices due in this pass
  bool pending = false;
  std::map<std::string, std::vector<std::size_t>> remote;  // domain -> recipient indices
  bool local_pending = false;
  const bool all_to_gateway = remote_ && remote_->all_to_gateway();
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
    LocalReason reason;
    bool is_remote = all_to_gateway;  // delivery.all_to_gateway: no mailbox here at all
    auto state = is_remote ? Result<queue::RecipientState>(queue::RecipientState::pending)
                           : deliver_to(*msg, fd, rcpt, rcpt, i >= first_journal ? std::string_view(journal_header) : "",
                                        0, reason, &is_remote);
    if (state && is_remote) {
      remote[to_lower(rcpt.substr(rcpt.rfind('@') + 1))].push_back(i);
      continue;
    }
    if (!state) dlog(log::Record::sender, id).with("to", rcpt).with("error", state.error().message).warn("deferred");
    if (!state || *state == queue::RecipientState::pending) {  // deferred, and deliver_to said why
      if (keep_deferred(*msg, i, reason, unix_now(), done, delayed)) pending = local_pending = true;
      continue;
    }
    done.push_back({i, *state, std::move(reason.text), std::move(reason.status), {}});
  }
  std::optional<std::int64_t> next_attempt;
  std::vector<std::size_t> untried;  // remote recipients whose destination was busy
  for (const auto& [domain, indices] : remote)
    if (deliver_remote(*msg, fd, domain, indices, all_to_gateway, done, next_attempt, delayed, untried)) pending = true;
  // A message with only remote recipients left waits for the earliest of their schedules.
  if (next_attempt && !local_pending) retry_after = std::chrono::seconds(*next_attempt - unix_now());
  count_outcomes(*msg, first_journal, done, remote, untried);
  report_failures(*msg, fd, done);
  queue_reports(*msg, fd, delayed);  // one delay notice for the recipients newly past the threshold
  if (pending) {
    for (const auto& d : done) {
      auto recorded = queue_.set_recipient_state(id, d.index, d.state, d.reason);
      if (!recorded)
        dlog(log::Record::failure, id).with("error", recorded.error().message).error("cannot record result");
    }
  }
  if (pending) return Outcome::retry_later;
  // Removed before the claim goes: a command must not claim a done message.
  auto removed = queue_.remove(id);
  if (!removed && removed.error().code != ErrorCode::not_found) {
    // Still queued (a share away): its outcomes are recorded if the queue takes them, so
    // that the next attempt repeats nothing (remote peers would get a copy again; the
    // store keeps one copy per queue id anyway), then it is removed.
    dlog(log::Record::failure, id).with("error", removed.error().message).error("cannot remove queue file");
    for (const auto& d : done) (void)queue_.set_recipient_state(id, d.index, d.state, d.reason);
    return Outcome::retry_later;
  }
  return Outcome::done;
}

bool LocalDelivery::deliver_remote(const queue::QueuedMessage& msg, int fd, const std::string& domain,
                                   const std::vector<std::size_t>& indices, bool local, std::vector<Done>& done,
                                   std::optional<std::int64_t>& next_attempt,
                                   std::vector<queue::RecipientOutcome>& delayed, std::vector<std::size_t>& untried) {
  auto delivered = remote_->deliver(msg, fd, domain, indices, local);
  if (!delivered) {
    untried.insert(untried.end(), indices.begin(), indices.end());
    // The destination has its share of deliveries already: try again shortly, without
    // counting an attempt.
    dlog(log::Record::sender, msg.id).with("domain", domain).debug("deferred: destination busy");
    const std::int64_t soon = unix_now() + 1;
    next_attempt = next_attempt ? std::min(*next_attempt, soon) : soon;
    return true;
  }
  const auto& results = *delivered;
  RetryPolicy policy;
  PendingLimits limits;
  {
    std::lock_guard lock(mu_);
    policy = options_.remote_retry;
    limits = options_.pending;
  }
  const std::int64_t now = unix_now();
  bool pending = false;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const auto& r = results[k];
    const auto& to = msg.envelope.recipients[indices[k]];
    switch (r.outcome) {
      case DeliveryOutcome::delivered:
        done.push_back({indices[k], queue::RecipientState::delivered, r.describe(), {}, {}});
        break;
      case DeliveryOutcome::permanent: {
        dlog(log::Record::failure, msg.id).with("to", to).with("reason", r.describe()).warn("undeliverable");
        // The peer's enhanced code, or the one our own reason starts with ("5.1.2 no such domain").
        std::string status = r.reply && !r.reply->enhanced.empty() ? r.reply->enhanced : r.reason.substr(0, r.reason.find(' '));
        done.push_back({indices[k], queue::RecipientState::failed, r.describe(), status,
                        r.reply ? r.reply->summary() : std::string()});
        break;
      }
      default: {
        const std::size_t i = indices[k];
        queue::RetryState before = i < msg.retries.size() && msg.retries[i] ? *msg.retries[i] : queue::RetryState{};
        RetryDecision decision = decide_retry(policy, before, r, now);
        if (decision.give_up) {
          dlog(log::Record::failure, msg.id).with("to", to).with("reason", decision.reason)
              .with("attempts", decision.state.attempts).warn("undeliverable: retries exhausted");
          done.push_back({i, queue::RecipientState::failed, decision.reason, decision.status,
                          r.reply ? r.reply->summary() : std::string()});
          break;
        }
        // Recorded before the notice is queued: a crash between the two loses the notice
        // rather than sending it again (the bounce, if it comes to that, still goes).
        const bool notify = delay_notice_due(limits, msg.envelope, i, before, now);
        if (notify) decision.state.delay_notified_at = now;
        if (auto st = queue_.record_retry(msg.id, i, decision.state); !st) {
          dlog(log::Record::failure, msg.id).with("error", st.error().message).error("cannot record the retry");
        } else if (notify) {
          queue::RecipientOutcome o;
          o.index = i;
          o.action = queue::ReportAction::delayed;
          o.status = decision.status;
          o.diagnostic = r.reply ? r.reply->summary() : r.describe();
          o.diagnostic_type = r.reply ? "smtp" : "X-dirmail";
          o.last_attempt = now;
          o.retry_until = decision.gives_up_at;
          delayed.push_back(std::move(o));
        }
        dlog(log::Record::sender, msg.id).with("to", to).with("outcome", to_string(r.outcome))
            .with("reason", r.describe()).with("attempts", decision.state.attempts)
            .with("next", decision.state.next_attempt_at - now).warn("deferred");
        next_attempt = next_attempt ? std::min(*next_attempt, decision.state.next_attempt_at) : decision.state.next_attempt_at;
        pending = true;
        break;
      }
    }
  }
  return pending;
}

bool LocalDelivery::keep_deferred(const queue::QueuedMessage& msg, std::size_t index, const LocalReason& reason,
                                  std::int64_t now, std::vector<Done>& done,
                                  std::vector<queue::RecipientOutcome>& delayed) {
  PendingLimits limits;
  std::chrono::seconds interval;
  {
    std::lock_guard lock(mu_);
    limits = options_.pending;
    interval = options_.retry_interval;
  }
  const std::optional<queue::RetryState> retry = index < msg.retries.size() ? msg.retries[index] : std::nullopt;
  const std::string status = reason.status.empty() ? "4.3.0" : reason.status;
  const std::int64_t since = pending_since(msg.envelope, retry);
  if (queue_lifetime_expired(limits, since, now)) {
    std::string text = fmt::format("The message could not be delivered within {} of its arrival; the last failure: {}",
                                   duration_text(limits.max_queue_lifetime), reason.text);
    dlog(log::Record::failure, msg.id).with("to", msg.envelope.recipients[index]).with("reason", text)
        .warn("undeliverable: queue lifetime exceeded");
    done.push_back({index, queue::RecipientState::failed, std::move(text), expired_status(status), {}});
    return false;
  }
  if (!delay_notice_due(limits, msg.envelope, index, retry, now)) return true;
  // Local deferrals keep no retry line of their own (one per attempt would grow the
  // state log for days); the notice writes one, so that it goes once.
  queue::RetryState state = retry.value_or(queue::RetryState{});
  if (state.first_attempt_at == 0) state.first_attempt_at = since;
  state.next_attempt_at = now + interval.count();
  state.delay_notified_at = now;
  state.last_error = reason.text;
  if (auto st = queue_.record_retry(msg.id, index, state); !st) {
    dlog(log::Record::failure, msg.id).with("error", st.error().message).error("cannot record the delay notice");
    return true;  // no notice that could not be recorded: it would go at every attempt
  }
  queue::RecipientOutcome o;
  o.index = index;
  o.action = queue::ReportAction::delayed;
  o.status = status;
  o.diagnostic = reason.text;
  o.diagnostic_type = "X-dirmail";
  o.last_attempt = now;
  o.retry_until = since + limits.max_queue_lifetime.count();
  delayed.push_back(std::move(o));
  return true;
}

void LocalDelivery::report_failures(const queue::QueuedMessage& msg, int fd, const std::vector<Done>& done) {
  std::vector<queue::RecipientOutcome> outcomes;
  const std::int64_t now = unix_now();
  for (const auto& d : done) {
    if (d.state != queue::RecipientState::failed) continue;
    queue::RecipientOutcome o;
    o.index = d.index;
    o.action = queue::ReportAction::failed;
    o.status = d.status;
    o.diagnostic = d.diagnostic.empty() ? d.reason : d.diagnostic;
    o.diagnostic_type = d.diagnostic.empty() ? "X-dirmail" : "smtp";
    o.last_attempt = now;
    outcomes.push_back(std::move(o));
  }
  queue_reports(msg, fd, outcomes);
}

void LocalDelivery::queue_reports(const queue::QueuedMessage& msg, int fd,
                                  const std::vector<queue::RecipientOutcome>& outcomes) {
  if (outcomes.empty()) return;
  const std::int64_t now = unix_now();
  queue::ReportOptions options;
  queue::AdminCopyOptions admin;
  {
    std::lock_guard lock(mu_);
    options.reporting_mta = options_.hostname;
    admin.enabled = options_.admin_error_copy;
    admin.address = options_.mail_control.admin_address;
  }
  options.now = now;
  auto reports = queue::queue_delivery_reports(queue_, msg, fd, outcomes, options, admin);
  if (!reports) {
    dlog(log::Record::failure, msg.id).with("error", reports.error().message).error("cannot read the message for its report");
    return;
  }
  for (const auto& report : *reports) {
    if (report.id.empty()) {
      dlog(log::Record::failure, msg.id).with("error", report.error).error("cannot queue the delivery report");
      continue;
    }
    enqueue(report.id);
    count_report(outcomes.front().action, report.recipient == msg.envelope.sender);
    dlog(log::Record::failure, msg.id).with("to", report.recipient).with("report_id", report.id)
        .with("action", queue::to_string(outcomes.front().action)).info("delivery report queued");
  }
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
                                       std::uint64_t server_limit, std::uint64_t size, LocalReason& reason) {
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
  // Deferred, not bounced: the user may make room, and delivery.max_queue_lifetime
  // decides when to give up. A message larger than the whole limit is deferred too, for
  // the same end.
  reason = verdict == store::LimitVerdict::mailbox_full ? LocalReason{"mailbox full", "4.2.2"}
                                                        : LocalReason{"message larger than the mailbox limit", "4.2.3"};
  dlog(log::Record::sender, msg.id)
      .with("to", address)
      .with("user", account.address())
      .with("reason", reason.text)
      .with("usage", *usage)
      .with("limit", limit)
      .with("size", size)
      .warn("deferred");
  return true;
}

Result<queue::RecipientState> LocalDelivery::deliver_to(const queue::QueuedMessage& msg, int fd,
                                                        const std::string& address, const std::string& shown,
                                                        std::string_view extra_header, int depth, LocalReason& reason,
                                                        bool* remote) {
  auto resolved = resolve_with_retry(address);
  if (!resolved) {
    if (resolved.error().code == ErrorCode::invalid_argument || resolved.error().code == ErrorCode::not_found) {
      reason = {resolved.error().message, "5.1.3"};  // the address itself was refused
      dlog(log::Record::failure, msg.id).with("to", address).with("reason", reason.text).warn("undeliverable");
      return queue::RecipientState::failed;
    }
    reason = {resolved.error().message, "4.4.3"};  // directory server failure
    return std::move(resolved).error();
  }
  switch (resolved->kind) {
    case directory::RecipientKind::alias: {
      if (depth >= max_alias_depth) {
        reason = {"alias loop", "5.4.6"};
        dlog(log::Record::failure, msg.id).with("to", address).with("reason", reason.text).warn("undeliverable");
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
    case directory::RecipientKind::not_local: {
      if (!remote_) {
        reason = {"remote delivery is not configured", "5.4.4"};
        dlog(log::Record::failure, msg.id).with("to", address).with("reason", reason.text).warn("undeliverable");
        return queue::RecipientState::failed;
      }
      if (depth == 0 && remote) {
        *remote = true;
        return queue::RecipientState::pending;
      }
      // An alias target in another domain: a copy of its own, from the same sender.
      queue::Envelope env;
      env.sender = msg.envelope.sender;
      env.recipients = {address};
      env.received_at = unix_now();
      env.body = msg.envelope.body;
      env.smtputf8 = msg.envelope.smtputf8;
      auto id = queue::queue_copy(queue_, env, "", fd, msg.body_offset, msg.body_size);
      if (!id) {
        reason = {id.error().message, "4.3.0"};
        return std::move(id).error();
      }
      enqueue(*id);
      dlog(log::Record::sender, msg.id).with("to", address).with("alias", shown).with("copy_id", *id).info("relayed to an alias target");
      return queue::RecipientState::delivered;
    }
    case directory::RecipientKind::unknown:
      reason = {"user unknown", "5.1.1"};
      dlog(log::Record::failure, msg.id).with("to", address).with("reason", reason.text).warn("undeliverable");
      return queue::RecipientState::failed;
    case directory::RecipientKind::account:
      break;
  }
  const auto& account = *resolved->account;
  if (!account.may_receive || account.state == directory::AccountState::not_mail_user) {
    reason = {fmt::format("mailbox disabled ({})", directory::to_string(account.state)), "5.2.1"};
    dlog(log::Record::failure, msg.id).with("to", address).with("reason", reason.text).warn("undeliverable");
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
  if (!root) {
    reason = {"mailbox path: " + root.error().message, "4.3.0"};
    return make_error(ErrorCode::temporary_failure, reason.text);
  }
  std::string prefix = fmt::format("Return-Path: <{}>\r\nDelivered-To: {}\r\n{}", msg.envelope.sender, shown, extra_header);
  bool over_limit = false;
  auto store_copy = [&]() -> Status {
    // The limit counts only for a copy the mailbox keeps (IMS.CTL may forward it all);
    // storing comes before any forward, so a deferral here repeats none.
    if (mailbox_over_limit(msg, address, account, *root, server_limit, prefix.size() + msg.body_size, reason)) {
      over_limit = true;
      return make_error(ErrorCode::temporary_failure, reason.text);
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
  if (!applied) {
    reason = {applied.error().message, "4.3.0"};
    return std::move(applied).error();
  }
  return queue::RecipientState::delivered;
}

}  // namespace dirmail::delivery
