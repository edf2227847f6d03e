#include "dirmail/delivery/remote_delivery.hpp"

#include <boost/asio/ip/address.hpp>

#include "dirmail/base/log.hpp"
#include "dirmail/delivery/address_literal.hpp"
#include "dirmail/delivery/outbound_message.hpp"

namespace dirmail::delivery {
namespace {

log::LogLine rlog(log::Record r, const std::string& id) {
  log::LogLine l(log::service("delivery"), r);
  l.with("queue_id", id);
  return l;
}

// A DNS answer as the result of every recipient: permanent for a domain that cannot
// get mail (RFC 3463 5.1.2 no such domain, 5.1.10 null MX), temporary otherwise.
DeliveryResult route_failure(const Error& e) {
  DeliveryResult r;
  r.stage = SmtpStage::connect;
  r.reason = e.message;
  switch (e.code) {
    case ErrorCode::not_found:
      r.outcome = DeliveryOutcome::permanent;
      r.reason = "5.1.2 " + e.message;
      break;
    case ErrorCode::permission_denied:
      r.outcome = DeliveryOutcome::permanent;
      r.reason = "5.1.10 " + e.message;
      break;
    case ErrorCode::invalid_argument:
      r.outcome = DeliveryOutcome::permanent;
      r.reason = "5.1.2 " + e.message;
      break;
    default:  // DNS trouble: the domain's hosts cannot be reached for now (the retry class)
      r.outcome = DeliveryOutcome::host_unreachable;
      r.reason = "4.4.3 " + e.message;
      break;
  }
  return r;
}

// A session failure with no reply and no answer from the peer: the connection was
// never usable.
DeliveryResult internal_session_error() {
  DeliveryResult r;
  r.outcome = DeliveryOutcome::line_fault;
  r.reason = "internal error in the SMTP session";
  return r;
}

// A cached connection the peer closed (or timed out) while it was idle fails at the
// RSET that starts the next transaction, or at its MAIL: the message was not offered,
// so it goes again on a new connection.
bool closed_while_idle(const MessageResult& sent) {
  if (sent.recipients.empty()) return false;
  const auto& r = sent.recipients.front();
  if (r.outcome == DeliveryOutcome::delivered || r.outcome == DeliveryOutcome::permanent) return false;
  if (r.stage == SmtpStage::rset) return true;
  return r.stage == SmtpStage::mail && (!r.reply || r.reply->code == 421);
}

// A gateway as a route of one host: its IP literal, or its name's addresses from the
// system resolver.
Result<MailRoute> gateway_route(const RouteDecision& decision) {
  MailRoute route;
  route.domain = decision.domain;
  MailHost host;
  host.name = decision.gateway.host;
  boost::system::error_code ec;
  auto literal = net::asio::ip::make_address(decision.gateway.host, ec);
  if (!ec) {
    host.addresses.push_back(literal.to_string());
  } else {
    net::asio::io_context io;
    net::tcp::resolver resolver(io);
    auto found = resolver.resolve(decision.gateway.host, "", ec);
    if (ec) return make_error(ErrorCode::temporary_failure, "gateway " + decision.gateway.host + ": " + ec.message());
    for (const auto& entry : found) host.addresses.push_back(entry.endpoint().address().to_string());
  }
  if (host.addresses.empty()) return make_error(ErrorCode::temporary_failure, "gateway " + decision.gateway.host + " has no address");
  route.hosts.push_back(std::move(host));
  return route;
}

}  // namespace

bool try_next_host(const DeliveryResult& f) {
  switch (f.outcome) {
    case DeliveryOutcome::host_unreachable:
    case DeliveryOutcome::line_fault:
      return true;
    case DeliveryOutcome::temporary:
    case DeliveryOutcome::permanent:
      // A refused session (greeting, EHLO/HELO) or TLS/AUTH trouble with this host:
      // another MX host may take the mail (RFC 5321 §5.1 asks to go on).
      return f.stage == SmtpStage::greeting || f.stage == SmtpStage::ehlo || f.stage == SmtpStage::tls ||
             f.stage == SmtpStage::starttls || f.stage == SmtpStage::connect;
    case DeliveryOutcome::delivered:
      return false;
  }
  return false;
}

RemoteDelivery::RemoteDelivery(MxResolver& resolver, RemoteDeliveryOptions options)
    : resolver_(resolver),
      options_(std::move(options)),
      sessions_(options_.sessions),
      slots_(options_.destination_concurrency) {}

void RemoteDelivery::set_options(RemoteDeliveryOptions options) {
  sessions_.set_limits(options.sessions);
  slots_.set_limit(options.destination_concurrency);
  std::lock_guard lock(mu_);
  options_ = std::move(options);
}

RemoteDelivery::Attempt RemoteDelivery::attempt(const SmtpClientOptions& client, const net::tcp::endpoint& peer,
                                                const std::string& host, const OutboundMessage& message) {
  Attempt out;
  const std::string key = session_key(peer, host, client);
  if (auto cached = sessions_.take(key)) {
    auto sent = run_session_task(*cached->io, cached->client->send(message));
    if (sent && !closed_while_idle(*sent)) {
      ++cached->messages;
      out.tls = describe_tls(cached->client->session());
      sessions_.put(key, std::move(cached));
      out.results = std::move(*sent);
      out.reused = true;
      return out;
    }
  }
  auto session = std::make_unique<OutboundSession>();
  session->io = std::make_unique<net::asio::io_context>();
  session->client = std::make_unique<SmtpClient>(session->io->get_executor(), client);
  session->opened = std::chrono::steady_clock::now();
  auto opened = run_session_task(*session->io, session->client->open(peer, host));
  if (!opened) {
    out.session_failure = internal_session_error();
    return out;
  }
  if (*opened) {
    out.session_failure = std::move(*opened);
    return out;
  }
  auto sent = run_session_task(*session->io, session->client->send(message));
  if (!sent) {
    out.session_failure = internal_session_error();
    return out;
  }
  session->messages = 1;
  out.tls = describe_tls(session->client->session());
  sessions_.put(key, std::move(session));
  out.results = std::move(*sent);
  return out;
}

RemoteDeliveryOptions RemoteDelivery::options() const {
  std::lock_guard lock(mu_);
  return options_;
}

bool RemoteDelivery::all_to_gateway() const {
  std::lock_guard lock(mu_);
  return options_.routes.all_to_gateway();
}

std::optional<std::vector<DeliveryResult>> RemoteDelivery::deliver(const queue::QueuedMessage& message, int fd,
                                                                   const std::string& domain,
                                                                   std::span<const std::size_t> indices, bool local) {
  RemoteDeliveryOptions options = this->options();
  RouteDecision decision = options.routes.route(domain, local);
  const bool via_gateway = decision.kind == RouteDecision::Kind::gateway;
  auto slot = slots_.try_acquire(via_gateway ? "gateway " + to_string(decision.gateway) : decision.domain);
  if (!slot) return std::nullopt;
  auto literal = via_gateway ? std::nullopt : address_literal_route(decision.domain);
  Result<MailRoute> route = via_gateway ? gateway_route(decision)
                            : literal   ? std::move(*literal)
                                        : resolver_.resolve(domain);
  if (route) {
    if (auto looped = remove_self_and_worse(*route, options.self, via_gateway ? decision.gateway.port : options.port);
        !looped) {
      DeliveryResult r;
      r.stage = SmtpStage::connect;
      if (via_gateway) {
        // A setting points the gateway at this server: the administrator's to fix, so the mail waits.
        r.outcome = DeliveryOutcome::temporary;
        r.reason = "4.3.5 the gateway " + to_string(decision.gateway) + " is this server (" + decision.reason + ")";
      } else {
        r.outcome = DeliveryOutcome::permanent;
        r.reason = "5.4.6 " + looped.error().message;
      }
      rlog(log::Record::failure, message.id).with("domain", domain).with("result", r.describe()).warn("mail loop");
      return std::vector<DeliveryResult>(indices.size(), r);
    }
  }
  if (via_gateway) {
    options.port = decision.gateway.port;
    if (decision.gateway.implicit_tls) options.client.tls = TlsMode::implicit;
    rlog(log::Record::sender, message.id).with("domain", domain).with("gateway", decision.gateway.host)
        .with("rule", decision.reason).debug("route");
  }
  if (!route) {
    DeliveryResult r = route_failure(route.error());
    rlog(log::Record::sender, message.id).with("domain", domain).with("result", r.describe()).warn("no route");
    return std::vector<DeliveryResult>(indices.size(), r);
  }
  OutboundMessage outbound = outbound_message(message, fd, indices);
  DeliveryResult last;
  last.outcome = DeliveryOutcome::host_unreachable;
  last.reason = "no address to try";
  std::size_t tried = 0;
  for (const auto& host : route->hosts) {
    for (const auto& address : host.addresses) {
      if (tried++ >= options.max_addresses) break;
      boost::system::error_code ec;
      auto ip = net::asio::ip::make_address(address, ec);
      if (ec) continue;
      net::tcp::endpoint peer(ip, options.port);
      const SmtpClientOptions client = options.peers.client_options(options.client, decision, host.name);
      Attempt a = attempt(client, peer, host.name, outbound);
      if (a.session_failure) {
        last = *a.session_failure;
        rlog(log::Record::sender, message.id).with("host", host.name).with("address", address)
            .with("result", last.describe()).warn("session failed");
        if (try_next_host(last)) continue;
        resolver_.invalidate(domain);
        return std::vector<DeliveryResult>(indices.size(), last);
      }
      for (std::size_t i = 0; i < indices.size() && i < a.results.recipients.size(); ++i) {
        const auto& r = a.results.recipients[i];
        rlog(r.outcome == DeliveryOutcome::delivered ? log::Record::send : log::Record::sender, message.id)
            .with("to", message.envelope.recipients[indices[i]])
            .with("host", host.name)
            .with("address", address)
            .with("reused", a.reused ? "yes" : "no")
            .with("tls", a.tls)
            .with("outcome", to_string(r.outcome))
            .with("reply", r.describe())
            .info(r.outcome == DeliveryOutcome::delivered ? "sent" : "not sent");
      }
      a.results.recipients.resize(indices.size(), last);
      return std::move(a.results.recipients);
    }
  }
  resolver_.invalidate(domain);  // no host took it: ask DNS again next time
  return std::vector<DeliveryResult>(indices.size(), last);
}

}  // namespace dirmail::delivery
