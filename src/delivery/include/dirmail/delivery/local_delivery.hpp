#pragma once
// Local delivery: takes committed messages from the queue and stores them in the
// recipients' mailboxes. Runs on its own worker threads (store and directory calls
// block). A recipient's result is recorded in the queue before the next one, so a
// crash repeats at most the delivery that was in progress. Temporary failures are
// retried after delivery.retry_interval; the message stays queued meanwhile, its sender
// gets a delay notice once, and a local recipient is bounced when its deferral outlives
// the queue lifetime (pending_limits.hpp).
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dirmail/base/retry_schedule.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/delivery/pending_limits.hpp"
#include "dirmail/delivery/remote_delivery.hpp"
#include "dirmail/delivery/retry_policy.hpp"
#include "dirmail/features/mail_control_processor.hpp"
#include "dirmail/queue/delivery_report.hpp"
#include "dirmail/queue/queue.hpp"
#include "dirmail/store/mail_store.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail::delivery {

struct LocalDeliveryOptions {
  store::MailboxLocation mailboxes;
  std::size_t workers = 4;
  std::chrono::seconds retry_interval{120};
  // A recipient lookup that no directory server answers is tried again this way
  // before the message is deferred for retry_interval.
  RetrySchedule directory_retry;
  // Remote recipients: the original's retry classes, then a bounce.
  RetryPolicy remote_retry;
  // Delay notices to senders (all recipients), and the end of local deferrals.
  PendingLimits pending;
  // Limit of mailboxes whose account has none (store.mailbox_limit); 0 = unlimited.
  std::uint64_t mailbox_limit = 0;
  features::MailControlOptions mail_control;  // IMS.CTL forwarding and auto-reply
  std::string hostname;         // Reporting-MTA of bounces
  bool admin_error_copy = false;  // delivery.admin_error_copy: bounces copied to mail_control.admin_address
};

class LocalDelivery {
 public:
  LocalDelivery(queue::Queue& queue, directory::Directory& directory, store::MailStore& store,
                LocalDeliveryOptions options);
  ~LocalDelivery();

  // Re-queues every committed message (crash recovery, or the messages of the node a
  // cluster node takes over from) and starts the workers; again after stop().
  Status start();
  // Hands over a freshly committed message.
  void enqueue(const std::string& id);
  // Tries every deferred message now, and every queued message it does not know of
  // (one released from hold/): SIGUSR1, dirmailctl queue flush.
  void flush();
  // Lets workers finish the message in hand, then stops them.
  void stop();
  void set_options(LocalDeliveryOptions options);

  // The messages this node's delivery has in hand (waiting, deferred or being
  // delivered; not those held by an administrator), and when the oldest arrived.
  struct QueueSummary {
    std::size_t messages = 0;
    std::optional<std::int64_t> oldest_arrival_us;  // microseconds since 1970
  };
  QueueSummary queue_summary() const;
  // Remote delivery for recipients in other domains; without it they are undeliverable.
  // Set before start().
  void set_remote(RemoteDelivery* remote) { remote_ = remote; }

 private:
  enum class Outcome { done, retry_later };
  void worker();
  // `retry_after`: set when a remote recipient's schedule wants the next attempt sooner
  // or later than retry_interval.
  Outcome deliver(const std::string& id, std::optional<std::chrono::seconds>& retry_after);
  // The directory's answer, retried while it fails temporarily (waits end early on stop()).
  Result<directory::Recipient> resolve_with_retry(const std::string& address);
  // Why a local recipient failed or was deferred: a text for the log and the report,
  // and its RFC 3463 status ("" when a temporary error says it all).
  struct LocalReason {
    std::string text;
    std::string status;
  };
  // Delivers to one local address; returns the recipient state (pending: deferred, with
  // the reason logged) or a temporary error. `shown` is the recipient the stored copy
  // names (Delivered-To:): the address itself, or the alias that led to it;
  // `extra_header` is added to the stored copy (a journal copy's Envelope-To:).
  // A recipient in another domain is left pending with `*remote` set (depth 0, for
  // remote delivery), or, reached through an alias, queued as a copy of its own.
  Result<queue::RecipientState> deliver_to(const queue::QueuedMessage& msg, int fd, const std::string& address,
                                           const std::string& shown, std::string_view extra_header, int depth,
                                           LocalReason& reason, bool* remote = nullptr);
  // The recipients at `indices` (all in one other domain) through remote_.
  struct Done {
    std::size_t index;
    queue::RecipientState state;
    std::string reason;
    std::string status;      // RFC 3463 code of a failure, for the bounce
    std::string diagnostic;  // the peer's reply, when one decided it
  };
  // Queues the bounce (and the administrator's copy) for the failed recipients in `done`.
  void report_failures(const queue::QueuedMessage& msg, int fd, const std::vector<Done>& done);
  // Queues the reports on `outcomes` (bounces, delay notices) and hands them to delivery.
  void queue_reports(const queue::QueuedMessage& msg, int fd, const std::vector<queue::RecipientOutcome>& outcomes);
  // A local recipient still deferred at `now` (`reason.status` "" for 4.3.0): done as
  // failed when it outlived the queue lifetime, else left pending, with its delay
  // notice recorded and added to `delayed` when one is due. True when still pending.
  bool keep_deferred(const queue::QueuedMessage& msg, std::size_t index, const LocalReason& reason,
                     std::int64_t now, std::vector<Done>& done, std::vector<queue::RecipientOutcome>& delayed);
  // `delayed`: the recipients whose delay notice is due now (recorded in their retry line);
  // `untried`: gets `indices` when the destination was busy (no attempt made).
  bool deliver_remote(const queue::QueuedMessage& msg, int fd, const std::string& domain,
                      const std::vector<std::size_t>& indices, bool local, std::vector<Done>& done,
                      std::optional<std::int64_t>& next_attempt, std::vector<queue::RecipientOutcome>& delayed,
                      std::vector<std::size_t>& untried);

  // True when the message would put the account's mailbox over its limit: logs the
  // deferral with `reason`. A usage the store cannot tell lets the delivery go ahead.
  bool mailbox_over_limit(const queue::QueuedMessage& msg, const std::string& address,
                          const directory::Account& account, const std::string& root, std::uint64_t server_limit,
                          std::uint64_t size, LocalReason& reason);

  queue::Queue& queue_;
  directory::Directory& directory_;
  store::MailStore& store_;
  features::MailControlProcessor controls_;
  RemoteDelivery* remote_ = nullptr;

  std::mutex lifecycle_;  // start() and stop()
  mutable std::mutex mu_;
  std::condition_variable cv_;
  LocalDeliveryOptions options_;
  std::deque<std::string> ready_;
  std::multimap<std::chrono::steady_clock::time_point, std::string> deferred_;
  std::set<std::string> in_flight_;  // ids a worker is delivering
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace dirmail::delivery
