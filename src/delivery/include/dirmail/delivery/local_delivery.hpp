#pragma once
// Local delivery: takes committed messages from the queue and stores them in the
// recipients' mailboxes. Runs on its own worker threads (store and directory calls
// block). A recipient's result is recorded in the queue before the next one, so a
// crash repeats at most the delivery that was in progress. Temporary failures are
// retried after delivery.retry_interval; the message stays queued meanwhile.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dirmail/base/retry_schedule.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/features/mail_control_processor.hpp"
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
  // Limit of mailboxes whose account has none (store.mailbox_limit); 0 = unlimited.
  std::uint64_t mailbox_limit = 0;
  features::MailControlOptions mail_control;  // IMS.CTL forwarding and auto-reply
};

class LocalDelivery {
 public:
  LocalDelivery(queue::Queue& queue, directory::Directory& directory, store::MailStore& store,
                LocalDeliveryOptions options);
  ~LocalDelivery();

  // Re-queues every committed message (crash recovery) and starts the workers.
  Status start();
  // Hands over a freshly committed message.
  void enqueue(const std::string& id);
  // Lets workers finish the message in hand, then stops them.
  void stop();
  void set_options(LocalDeliveryOptions options);

 private:
  enum class Outcome { done, retry_later };
  void worker();
  Outcome deliver(const std::string& id);
  // The directory's answer, retried while it fails temporarily (waits end early on stop()).
  Result<directory::Recipient> resolve_with_retry(const std::string& address);
  // Delivers to one local address; returns the recipient state (pending: deferred, with
  // the reason logged) or a temporary error. `shown` is the recipient the stored copy
  // names (Delivered-To:): the address itself, or the alias that led to it;
  // `extra_header` is added to the stored copy (a journal copy's Envelope-To:).
  Result<queue::RecipientState> deliver_to(const queue::QueuedMessage& msg, int fd, const std::string& address,
                                           const std::string& shown, std::string_view extra_header, int depth,
                                           std::string& reason);

  // True when the message would put the account's mailbox over its limit: logs the
  // deferral with `reason`. A usage the store cannot tell lets the delivery go ahead.
  bool mailbox_over_limit(const queue::QueuedMessage& msg, const std::string& address,
                          const directory::Account& account, const std::string& root, std::uint64_t server_limit,
                          std::uint64_t size, std::string& reason);

  queue::Queue& queue_;
  directory::Directory& directory_;
  store::MailStore& store_;
  features::MailControlProcessor controls_;

  std::mutex mu_;
  std::condition_variable cv_;
  LocalDeliveryOptions options_;
  std::deque<std::string> ready_;
  std::multimap<std::chrono::steady_clock::time_point, std::string> deferred_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace dirmail::delivery
