#pragma once
// Applies a user's IMS.CTL at local delivery: queues the forwarded copy and the
// auto-reply as new messages (durable like any other) and says whether the mailbox
// keeps its copy. A bad control file never loses mail: it is logged and the message
// is delivered as if there were none.
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/features/mail_control.hpp"
#include "dirmail/queue/queue.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::features {

struct MailControlOptions {
  bool enabled = true;                                // delivery.mail_control
  std::string admin_address;                          // never forwarded (loop guard)
  std::string hostname;                               // Message-IDs of auto-replies
  std::chrono::seconds auto_reply_interval{604800};   // once per sender in this period
};

// One delivery to one account.
struct ControlledDelivery {
  const queue::QueuedMessage& message;
  int fd = -1;                      // the queue file
  const directory::Account& account;
  const std::string& mailbox_root;
  std::string log_id;               // queue id for log lines
};

class MailControlProcessor {
 public:
  using OnQueued = std::function<void(const std::string& id)>;
  MailControlProcessor(store::MailStore& store, queue::Queue& queue, OnQueued on_queued, MailControlOptions options);

  void set_options(MailControlOptions options);

  // Applies the control file around `store_copy`, which stores the mailbox's copy: it
  // is called first (so that a failure there repeats no forward), unless the file
  // discards the copy. Returns whether the copy was kept. An error (store or queue
  // unavailable) means: try the whole delivery again later.
  Result<bool> apply(const ControlledDelivery& delivery, const std::function<Status()>& store_copy);

 private:
  MailControlOptions options() const;
  struct ForwardPlan {
    queue::Envelope envelope;
    std::uint64_t length = 0;  // bytes of the original to send (SizeLimit)
    bool delete_attachments = false;
    std::optional<std::uint64_t> size_limit;
  };
  // The forwarded copy to queue, or nullopt (logged) when this message is not forwarded.
  Result<std::optional<ForwardPlan>> plan_forward(const ControlledDelivery& d, const ForwardControl& control,
                                                  std::string_view header, const MailControlOptions& options);
  Status forward(const ControlledDelivery& d, const ForwardPlan& plan);
  Status auto_reply(const ControlledDelivery& d, const AutoReplyControl& control, std::string_view header,
                    const MailControlOptions& options);
  Result<std::string> queue_text(const queue::Envelope& envelope, std::string_view text);
  Result<std::string> queue_message(const queue::Envelope& envelope, std::string_view prefix, int fd,
                                    std::uint64_t offset, std::uint64_t length);

  store::MailStore& store_;
  queue::Queue& queue_;
  OnQueued on_queued_;
  mutable std::mutex mu_;
  MailControlOptions options_;
};

}  // namespace dirmail::features
