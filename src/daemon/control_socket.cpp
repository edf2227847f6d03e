#include "control_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/unix_socket_path.hpp"

namespace dirmail::daemon {
namespace {

namespace asio = net::asio;
using local = asio::local::stream_protocol;

constexpr auto request_timeout = std::chrono::seconds(10);

log::LogLine clog() { return log::LogLine(log::service("daemon"), log::Record::daemon); }

std::string error_reply(std::string_view message) {
  return boost::json::serialize(boost::json::object{{"ok", false}, {"error", message}});
}

// Whether a daemon answers on `usable` (UnixSocketPath) now; a left-over file refuses.
bool someone_listens(const std::string& usable) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, usable.data(), std::min(usable.size(), sizeof addr.sun_path - 1));
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

struct ControlSocket::State {
  State(asio::io_context& io, ControlHandler h) : acceptor(io), handler(std::move(h)) {}
  local::acceptor acceptor;
  ControlHandler handler;
  bool stopped = false;  // the daemon is going: commands still in flight are not run
};

namespace {

// One client: its command line, the reply, then what is left of its input until it
// closes. `state` and `socket` are shared with the deadline's handler, which may run
// after this coroutine is gone.
net::awaitable<void> serve(std::shared_ptr<ControlSocket::State> state, std::shared_ptr<local::socket> socket) {
  const ControlPeer peer = peer_of(*socket);
  asio::steady_timer deadline(socket->get_executor());
  deadline.expires_after(request_timeout);
  deadline.async_wait([socket](const boost::system::error_code& ec) {
    boost::system::error_code ignored;
    if (!ec) socket->close(ignored);  // a client that never finishes its line
  });
  asio::streambuf input(kMaxControlCommandBytes);
  auto [ec, n] = co_await asio::async_read_until(*socket, input, '\n', asio::as_tuple(net::use_awaitable));
  std::string reply;
  if (ec == asio::error::not_found) {
    reply = error_reply(fmt::format("command longer than {} bytes", kMaxControlCommandBytes));
  } else if (ec || state->stopped) {
    deadline.cancel();
    co_return;
  } else {
    std::string line(asio::buffers_begin(input.data()), asio::buffers_begin(input.data()) + static_cast<long>(n) - 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    reply = state->handler(line, peer);
  }
  reply += '\n';
  boost::system::error_code wec;
  co_await asio::async_write(*socket, asio::buffer(reply), asio::redirect_error(net::use_awaitable, wec));
  boost::system::error_code ignored;
  socket->shutdown(local::socket::shutdown_send, ignored);
  // What is left of an oversized command is read and dropped until the client closes
  // (or the deadline): closing with unread input would reset the connection before the
  // client reads the reply.
  char sink[4096];
  for (std::size_t drained = 0; !wec && drained < (1u << 20);) {
    auto [rec, got] = co_await socket->async_read_some(asio::buffer(sink), asio::as_tuple(net::use_awaitable));
    if (rec) break;
    drained += got;
  }
  deadline.cancel();
  socket->close(ignored);
}

net::awaitable<void> accept_loop(std::shared_ptr<ControlSocket::State> state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(asio::as_tuple(net::use_awaitable));
    if (ec == asio::error::operation_aborted || !state->acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and the like: the client stays in the backlog, so accepting again at once
      // would spin the control thread; give it a moment, as the listeners do.
      clog().with("error", ec.message()).warn("control socket: cannot accept a connection");
      asio::steady_timer pause(state->acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::as_tuple(net::use_awaitable));
      continue;
    }
    asio::co_spawn(state->acceptor.get_executor(), serve(state, std::make_shared<local::socket>(std::move(socket))),
                   asio::detached);
  }
}

}  // namespace

Result<std::unique_ptr<ControlSocket>> ControlSocket::open(asio::io_context& io, const std::string& path,
                                                           ControlHandler handler) {
  auto address = posix::UnixSocketPath::make(path);  // any length (a deep data folder)
  if (!address)
    return make_error(address.error().code, fmt::format("server.control_socket: \"{}\": {}", path,
                                                        address.error().message));
  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return make_error(ErrorCode::already_exists,
                        fmt::format("server.control_socket: \"{}\" exists and is not a socket", path));
    if (someone_listens(address->usable()))
      return make_error(ErrorCode::already_exists,
                        fmt::format("server.control_socket: another dirmaild answers on \"{}\"", path));
    ::unlink(path.c_str());  // left over from a daemon that is gone
  }
  auto state = std::make_shared<State>(io, std::move(handler));
  boost::system::error_code ec;
  state->acceptor.open(local(), ec);
  // bind() makes the file with the socket's own mode (less the umask): owner only, so
  // that nobody else can connect before the chmod below opens it to the group. The
  // folder (server.data_dir) must not be writable by others, or the path could be
  // swapped for a symbolic link in between.
  if (!ec && ::fchmod(state->acceptor.native_handle(), 0600) != 0)
    ec = boost::system::error_code(errno, boost::system::system_category());
  if (!ec) state->acceptor.bind(local::endpoint(address->usable()), ec);
  if (!ec) state->acceptor.listen(16, ec);
  if (ec) return make_error(ErrorCode::io_error, fmt::format("server.control_socket: \"{}\": {}", path, ec.message()));
  if (::chmod(path.c_str(), 0660) != 0)
    return make_error(ErrorCode::io_error,
                      fmt::format("server.control_socket: \"{}\": chmod: {}", path, std::strerror(errno)));
  asio::co_spawn(io, accept_loop(state), asio::detached);
  clog().with("socket", path).info("control socket open");
  return std::unique_ptr<ControlSocket>(new ControlSocket(path, std::move(state)));
}

ControlSocket::~ControlSocket() {
  boost::system::error_code ignored;
  state_->stopped = true;
  state_->acceptor.close(ignored);
  ::unlink(path_.c_str());
}

}  // namespace dirmail::daemon
