#include "daemon_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/unix_socket_path.hpp"

namespace dirmail::ctl {
namespace {

constexpr std::size_t kMaxReplyBytes = 64u << 20;  // the metrics of a very busy node fit many times

}  // namespace

Result<boost::json::object> ask_daemon(const std::string& socket_path, std::string_view command,
                                       std::chrono::seconds timeout) {
  auto address = posix::UnixSocketPath::make(socket_path);  // any length (a deep data folder)
  if (!address) {
    if (address.error().code == ErrorCode::not_found)  // no data folder: nothing ran here
      return make_error(ErrorCode::not_found,
                        fmt::format("dirmaild does not run (nothing answers on its control socket {})", socket_path));
    return make_error(address.error().code, fmt::format("server.control_socket \"{}\": {}", socket_path,
                                                        address.error().message));
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, address->usable().data(), address->usable().size());
  // Non-blocking: a daemon whose backlog is full (a stuck control thread) answers
  // EAGAIN at once instead of keeping us waiting without a deadline.
  posix::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return make_error(ErrorCode::io_error, fmt::format("socket: {}", std::strerror(errno)));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    if (e == EAGAIN)
      return make_error(ErrorCode::temporary_failure,
                        fmt::format("dirmaild does not take commands now ({} is busy); try again", socket_path));
    if (e == ENOENT || e == ECONNREFUSED)
      return make_error(ErrorCode::not_found,
                        fmt::format("dirmaild does not run (nothing answers on its control socket {})", socket_path));
    if (e == EACCES || e == EPERM)
      return make_error(ErrorCode::permission_denied,
                        fmt::format("{}: permission denied: run as root or as a member of the daemon's group "
                                    "(dirmail)", socket_path));
    return make_error(ErrorCode::io_error, fmt::format("{}: {}", socket_path, std::strerror(e)));
  }
  std::string request = std::string(command) + "\n";
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
    return make_error(ErrorCode::io_error, fmt::format("{}: cannot send the command: {}", socket_path, std::strerror(errno)));
  std::string reply;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd.get(), POLLIN, 0};
    int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0)
      return make_error(ErrorCode::cancelled,
                        fmt::format("dirmaild did not answer \"{}\" within {} s", command, timeout.count()));
    char buf[65536];
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(ErrorCode::io_error, fmt::format("{}: {}", socket_path, std::strerror(errno)));
    if (n == 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
    if (reply.size() > kMaxReplyBytes) return make_error(ErrorCode::limit_exceeded, "dirmaild's reply is too large");
  }
  boost::system::error_code ec;
  auto value = boost::json::parse(reply, ec);
  if (ec || !value.is_object() || !value.as_object().contains("ok"))
    return make_error(ErrorCode::io_error, "dirmaild's reply is not understood (another version?)");
  return value.as_object();
}

bool reply_ok(const boost::json::object& reply) { return json_bool(reply, "ok"); }

std::int64_t json_int(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  return 0;
}

std::string json_string(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool json_bool(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

const boost::json::object* json_object(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

std::string reply_error(const boost::json::object& reply) {
  if (auto* e = reply.if_contains("error"); e && e->is_string()) return std::string(e->as_string());
  return "dirmaild refused without saying why";
}

}  // namespace dirmail::ctl
