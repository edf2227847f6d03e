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
  // Delivers to one local address; returns the recipient state or a temporary error.
  Result<queue::RecipientState> deliver_to(const queue::QueuedMessage& msg, int fd, const std::string& address,
                                           int depth, std::string& reason);

  queue::Queue& queue_;
  directory::Directory& directory_;
  store::MailStore& store_;

  std::mutex mu_;
  std::condition_variable cv_;
  LocalDeliveryOptions options_;
  std::deque<std::string> ready_;
  std::multimap<std::chrono::steady_clock::time_point, std::string> deferred_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace dirmail::delivery
