#include "dirmail/delivery/remote_delivery.hpp"

#include <boost/asio/ip/address.hpp>

#include "dirmail/base/log.hpp"
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

struct Attempt {
  std::optional<DeliveryResult> session_failure;  // set: no recipient got an answer
  MessageResult results;
};

Attempt attempt(const SmtpClientOptions& options, const net::tcp::endpoint& peer, const std::string& host,
                const OutboundMessage& message) {
  net::asio::io_context io;
  Attempt out;
  auto session = [&]() -> net::awaitable<void> {
    SmtpClient client(io.get_executor(), options);
    out.session_failure = co_await client.open(peer, host);
    if (out.session_failure) co_return;
    out.results = co_await client.send(message);
    co_await client.quit();
  };
  std::exception_ptr failed;
  net::asio::co_spawn(io, session(), [&](std::exception_ptr e) { failed = e; });
  io.run();
  if (failed) {
    DeliveryResult r;
    r.outcome = DeliveryOutcome::line_fault;
    r.reason = "internal error in the SMTP session";
    out.session_failure = r;
  }
  return out;
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
    : resolver_(resolver), options_(std::move(options)) {}

void RemoteDelivery::set_options(RemoteDeliveryOptions options) {
  std::lock_guard lock(mu_);
  options_ = std::move(options);
}

RemoteDeliveryOptions RemoteDelivery::options() const {
  std::lock_guard lock(mu_);
  return options_;
}

bool RemoteDelivery::all_to_gateway() const {
  std::lock_guard lock(mu_);
  return options_.routes.all_to_gateway();
}

std::vector<DeliveryResult> RemoteDelivery::deliver(const queue::QueuedMessage& message, int fd,
                                                    const std::string& domain, std::span<const std::size_t> indices,
                                                    bool local) {
  RemoteDeliveryOptions options = this->options();
  RouteDecision decision = options.routes.route(domain, local);
  Result<MailRoute> route = decision.kind == RouteDecision::Kind::gateway ? gateway_route(decision)
                                                                          : resolver_.resolve(domain);
  if (decision.kind == RouteDecision::Kind::gateway) {
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
      Attempt a = attempt(options.client, peer, host.name, outbound);
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
