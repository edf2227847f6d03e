#include "dirmail/net/listener.hpp"

#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/metrics.hpp"

namespace dirmail::net {
namespace {

// result: accepted, over_limit (answered with the protocol's busy reply), or refused_*
// (closed without a greeting).
void count_connection(const std::string& service, std::string_view result) {
  static metrics::Family& connections = metrics::counter(
      "dirmail_connections_total", "Connections by service and what became of them.", {"service", "result"});
  connections.with({service, result}).add();
}

}  // namespace

std::string new_session_id() {
  static const std::uint32_t prefix = std::random_device{}();
  static std::atomic<std::uint64_t> counter{0};
  return fmt::format("{:08x}{:06x}", prefix, counter.fetch_add(1) & 0xffffff);
}

void ConnectionCounter::set_refused_local_addresses(std::vector<std::string> addresses) {
  std::lock_guard lock(mutex_);
  refused_ = std::move(addresses);
}

bool ConnectionCounter::refuses_local_address(const std::string& address) const {
  std::lock_guard lock(mutex_);
  for (const auto& a : refused_)
    if (a == address) return true;
  return false;
}

bool ConnectionCounter::admit_address(const std::string& peer) {
  std::lock_guard lock(mutex_);
  std::int64_t limit = per_address_limit.load();
  auto& count = per_address_[peer];
  if (limit > 0 && count >= limit) {
    if (count == 0) per_address_.erase(peer);
    return false;
  }
  ++count;
  return true;
}

void ConnectionCounter::release_address(const std::string& peer) {
  std::lock_guard lock(mutex_);
  auto it = per_address_.find(peer);
  if (it != per_address_.end() && --it->second <= 0) per_address_.erase(it);
}

Listener::Listener(IoThreads& threads, tcp::endpoint endpoint, std::string service,
                   std::shared_ptr<ConnectionCounter> counter, SessionHandler handler)
    : threads_(threads),
      endpoint_(endpoint),
      service_(std::move(service)),
      counter_(std::move(counter)),
      handler_(std::move(handler)),
      acceptor_(threads.first()) {}

Status Listener::open() {
  boost::system::error_code ec;
  acceptor_.open(endpoint_.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && endpoint_.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor_.bind(endpoint_, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::io_error, fmt::format("{}: cannot listen on {} port {}: {}", service_,
                                                       endpoint_.address().to_string(), endpoint_.port(),
                                                       ec.message()));
  }
  endpoint_ = acceptor_.local_endpoint();  // the real port when 0 was asked
  return ok_status();
}

void Listener::start() {
  asio::co_spawn(acceptor_.get_executor(), [self = shared_from_this()] { return self->accept_loop(); },
                 asio::detached);
}

void Listener::close() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
  });
}

awaitable<void> Listener::accept_loop() {
  for (;;) {
    auto& ctx = threads_.next();
    auto [ec, socket] = co_await acceptor_.async_accept(ctx, asio::as_tuple(use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: log, pause briefly, keep accepting.
      log::LogLine(log::service(service_), log::Record::session).with("error", ec.message()).warn("accept failed");
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(use_awaitable);
      continue;
    }
    Connection c{Stream(std::move(socket))};
    c.session_id = new_session_id();
    boost::system::error_code e1, e2;
    auto peer = c.stream.socket().remote_endpoint(e1);
    auto local = c.stream.socket().local_endpoint(e2);
    if (e1 || e2) continue;  // the client left already
    c.peer_address = peer.address().to_string();
    c.peer_port = peer.port();
    c.local_address = local.address().to_string();
    c.local_port = local.port();
    c.peer_is_loopback = peer.address().is_loopback() ||
                         (peer.address().is_v6() && peer.address().to_v6().is_v4_mapped() &&
                          asio::ip::make_address_v4(asio::ip::v4_mapped, peer.address().to_v6()).is_loopback());
    if (counter_->refuses_local_address(c.local_address)) {
      count_connection(service_, "refused_address");
      // Not answered on this address at all: no banner, the connection just closes.
      log::LogLine(log::service(service_), log::Record::session).with("session", c.session_id)
          .with("client", c.peer_address).with("local", c.local_address).info("refused: not served on this address");
      c.stream.socket().close(e1);
      continue;
    }
    if (auto admission = counter_->admission.load();
        admission == Admission::nobody || (admission == Admission::loopback_only && !c.peer_is_loopback)) {
      // A cluster node that is not active: clients go to the one that holds the virtual IP.
      count_connection(service_, admission == Admission::nobody ? "refused_fenced" : "refused_standby");
      log::LogLine(log::service(service_), log::Record::session).with("session", c.session_id)
          .with("client", c.peer_address).with("local", c.local_address)
          .info(admission == Admission::nobody ? "refused: this cluster node is fenced"
                                               : "refused: this cluster node is standby");
      c.stream.socket().close(e1);
      continue;
    }
    c.stream.socket().set_option(tcp::no_delay(true), e1);
    std::int64_t limit = counter_->limit.load();
    c.over_limit = limit > 0 && counter_->active.load() >= limit;
    std::string counted;
    if (!c.peer_is_loopback || counter_->count_loopback.load()) {
      if (counter_->admit_address(c.peer_address)) {
        counted = c.peer_address;
      } else {
        c.over_limit = true;  // the session gives its protocol's "too many connections"
        log::LogLine(log::service(service_), log::Record::session).with("session", c.session_id)
            .with("client", c.peer_address).with("limit", counter_->per_address_limit.load())
            .warn("refused: too many connections from this address");
      }
    }
    count_connection(service_, c.over_limit ? "over_limit" : "accepted");
    c.slot = std::make_unique<ConnectionSlot>(counter_, std::move(counted));
    auto executor = c.stream.socket().get_executor();
    asio::co_spawn(executor, handler_(std::move(c)), asio::detached);
  }
}

}  // namespace dirmail::net
