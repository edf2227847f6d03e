#pragma once
// Remote delivery: the recipients of one queued message in one other domain, sent to
// that domain's mail hosts (MX, best first) with the outbound SMTP client. Hosts are
// tried in turn while a host cannot take the message at all (no connection, a refusal
// of the session); once a host answers for the recipients, its answers stand.
// Sessions are kept open between messages (session_cache.hpp) and the number of
// deliveries to one destination at once is bounded (destination_slots.hpp).
// Blocking (DNS, and each session runs on an io_context of its own): call it from a
// delivery thread.
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dirmail/delivery/delivery_outcome.hpp"
#include "dirmail/delivery/destination_slots.hpp"
#include "dirmail/delivery/mx_resolver.hpp"
#include "dirmail/delivery/peer_security.hpp"
#include "dirmail/delivery/route_policy.hpp"
#include "dirmail/delivery/self_identity.hpp"
#include "dirmail/delivery/session_cache.hpp"
#include "dirmail/delivery/smtp_client.hpp"
#include "dirmail/queue/queue.hpp"

namespace dirmail::delivery {

struct RemoteDeliveryOptions {
  SmtpClientOptions client;  // EHLO name, TLS policy, timeouts
  std::uint16_t port = 25;   // delivery.port (MX hosts; a gateway names its own)
  RoutePolicy routes;        // gateway table, smart host, all mail to the gateway
  std::size_t max_addresses = 10;  // addresses tried per message before it waits for a retry
  SessionCacheLimits sessions;     // delivery.connection_cache_time, delivery.connection_messages
  std::size_t destination_concurrency = 20;  // delivery.destination_concurrency
  SelfIdentity self;               // MX hosts that are this server are not tried
  PeerSecurity peers;              // per-domain TLS, CA set, AUTH credentials (each attempt)
};

class RemoteDelivery {
 public:
  RemoteDelivery(MxResolver& resolver, RemoteDeliveryOptions options);

  void set_options(RemoteDeliveryOptions options);

  // One result per index of `indices` (recipients of `message` in `domain`); nullopt
  // when the destination already has delivery.destination_concurrency deliveries (try
  // again shortly; nothing was attempted). `local`: the domain is ours (only
  // delivery.all_to_gateway sends such mail here).
  std::optional<std::vector<DeliveryResult>> deliver(const queue::QueuedMessage& message, int fd,
                                                     const std::string& domain, std::span<const std::size_t> indices,
                                                     bool local = false);
  // delivery.all_to_gateway: local recipients leave through the gateway too.
  bool all_to_gateway() const;

 private:
  struct Attempt {
    std::optional<DeliveryResult> session_failure;  // set: no recipient got an answer
    MessageResult results;
    bool reused = false;  // sent on a connection an earlier message opened
    std::string tls;      // describe_tls() of the session, for the delivery log
  };
  RemoteDeliveryOptions options() const;
  // The message on a cached session to `peer` when there is one, else on a new one.
  Attempt attempt(const SmtpClientOptions& client, const net::tcp::endpoint& peer, const std::string& host,
                  const OutboundMessage& message);

  MxResolver& resolver_;
  mutable std::mutex mu_;
  RemoteDeliveryOptions options_;
  SessionCache sessions_;
  DestinationSlots slots_;
};

// Whether a failure of the whole session (no recipient answered) means "try the next
// host": no connection, a line fault before the transaction, or a refused session.
bool try_next_host(const DeliveryResult& session_failure);

}  // namespace dirmail::delivery
