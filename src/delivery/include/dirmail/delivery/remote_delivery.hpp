#pragma once
// Remote delivery: the recipients of one queued message in one other domain, sent to
// that domain's mail hosts (MX, best first) with the outbound SMTP client. Hosts are
// tried in turn while a host cannot take the message at all (no connection, a refusal
// of the session); once a host answers for the recipients, its answers stand.
// Blocking (DNS, and the session runs on a private io_context): call it from a
// delivery thread.
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "dirmail/delivery/delivery_outcome.hpp"
#include "dirmail/delivery/mx_resolver.hpp"
#include "dirmail/delivery/route_policy.hpp"
#include "dirmail/delivery/smtp_client.hpp"
#include "dirmail/queue/queue.hpp"

namespace dirmail::delivery {

struct RemoteDeliveryOptions {
  SmtpClientOptions client;  // EHLO name, TLS policy, timeouts
  std::uint16_t port = 25;   // delivery.port (MX hosts; a gateway names its own)
  RoutePolicy routes;        // gateway table, smart host, all mail to the gateway
  std::size_t max_addresses = 10;  // addresses tried per message before it waits for a retry
};

class RemoteDelivery {
 public:
  RemoteDelivery(MxResolver& resolver, RemoteDeliveryOptions options);

  void set_options(RemoteDeliveryOptions options);

  // One result per index of `indices` (recipients of `message` in `domain`). `local`:
  // the domain is ours (only delivery.all_to_gateway sends such mail here).
  std::vector<DeliveryResult> deliver(const queue::QueuedMessage& message, int fd, const std::string& domain,
                                      std::span<const std::size_t> indices, bool local = false);
  // delivery.all_to_gateway: local recipients leave through the gateway too.
  bool all_to_gateway() const;

 private:
  RemoteDeliveryOptions options() const;

  MxResolver& resolver_;
  mutable std::mutex mu_;
  RemoteDeliveryOptions options_;
};

// Whether a failure of the whole session (no recipient answered) means "try the next
// host": no connection, a line fault before the transaction, or a refused session.
bool try_next_host(const DeliveryResult& session_failure);

}  // namespace dirmail::delivery
