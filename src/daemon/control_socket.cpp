#include "control_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <fmt/format.h>

#include "dirmail/base/log.hpp"

namespace dirmail::daemon {
namespace {

namespace asio = net::asio;
using local = asio::local::stream_protocol;

constexpr auto request_timeout = std::chrono::seconds(10);

log::LogLine clog() { return log::LogLine(log::service("daemon"), log::Record::daemon); }

std::string error_reply(std::string_view message) {
  std::string out = "{\"ok\":false,\"error\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    out += c;
  }
  return out + "\"}";
}

// Whether a daemon answers on `path` now (a left-over socket file refuses).
bool someone_listens(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  bool answered = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return answered;
}

ControlPeer peer_of(local::socket& socket) {
  ControlPeer peer;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    peer.pid = cred.pid;
    peer.uid = cred.uid;
    peer.gid = cred.gid;
  }
  return peer;
}

}  // namespace

struct ControlSocket::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, ControlHandler h) : acceptor(io), handler(std::move(h)) {}
  local::acceptor acceptor;
  ControlHandler handler;

  net::awaitable<void> serve(local::socket socket) {
    const ControlPeer peer = peer_of(socket);
    asio::steady_timer deadline(socket.get_executor());
    deadline.expires_after(request_timeout);
    deadline.async_wait([&socket](const boost::system::error_code& ec) {
      boost::system::error_code ignored;
      if (!ec) socket.close(ignored);  // a client that never finishes its line
    });
    asio::streambuf input(kMaxControlCommandBytes);
    auto [ec, n] = co_await asio::async_read_until(socket, input, '\n', asio::as_tuple(net::use_awaitable));
    std::string reply;
    if (ec == asio::error::not_found) {
      reply = error_reply(fmt::format("command longer than {} bytes", kMaxControlCommandBytes));
    } else if (ec) {
      deadline.cancel();
      co_return;
    } else {
      std::string line(asio::buffers_begin(input.data()), asio::buffers_begin(input.data()) + static_cast<long>(n) - 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      reply = handler(line, peer);
    }
    reply += '\n';
    boost::system::error_code wec;
    co_await asio::async_write(socket, asio::buffer(reply), asio::redirect_error(net::use_awaitable, wec));
    boost::system::error_code ignored;
    socket.shutdown(local::socket::shutdown_send, ignored);
    // What is left of an oversized command is read and dropped until the client closes
    // (or the deadline): closing with unread input would reset the connection before the
    // client reads the reply.
    char sink[4096];
    for (std::size_t drained = 0; !wec && drained < (1u << 20);) {
      auto [rec, got] = co_await socket.async_read_some(asio::buffer(sink), asio::as_tuple(net::use_awaitable));
      if (rec) break;
      drained += got;
    }
    deadline.cancel();
    socket.close(ignored);
  }

  net::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(net::use_awaitable));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) continue;  // EMFILE and the like: the next client may fare better
      asio::co_spawn(acceptor.get_executor(), self->serve(std::move(socket)), asio::detached);
    }
  }
};

Result<std::unique_ptr<ControlSocket>> ControlSocket::open(asio::io_context& io, const std::string& path,
                                                           ControlHandler handler) {
  if (path.empty() || path.size() >= sizeof(sockaddr_un{}.sun_path))
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("server.control_socket: \"{}\" is longer than the {} bytes a socket path may have",
                                  path, sizeof(sockaddr_un{}.sun_path) - 1));
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return make_error(ErrorCode::already_exists,
                        fmt::format("server.control_socket: \"{}\" exists and is not a socket", path));
    if (someone_listens(path))
      return make_error(ErrorCode::already_exists,
                        fmt::format("server.control_socket: another dirmaild answers on \"{}\"", path));
    ::unlink(path.c_str());  // left over from a daemon that is gone
  }
  auto state = std::make_shared<State>(io, std::move(handler));
  boost::system::error_code ec;
  state->acceptor.open(local(), ec);
  if (!ec) state->acceptor.bind(local::endpoint(path), ec);
  if (!ec) state->acceptor.listen(16, ec);
  if (ec) return make_error(ErrorCode::io_error, fmt::format("server.control_socket: \"{}\": {}", path, ec.message()));
  // The umask made it at most 0755 (nobody but the owner may connect) until now.
  if (::chmod(path.c_str(), 0660) != 0)
    return make_error(ErrorCode::io_error,
                      fmt::format("server.control_socket: \"{}\": chmod: {}", path, std::strerror(errno)));
  asio::co_spawn(io, state->accept_loop(), asio::detached);
  clog().with("socket", path).info("control socket open");
  return std::unique_ptr<ControlSocket>(new ControlSocket(path, std::move(state)));
}

ControlSocket::~ControlSocket() {
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  ::unlink(path_.c_str());
}

}  // namespace dirmail::daemon
