#include "greeting_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dirmail/base/posix_file.hpp"

namespace dirmail::ctl {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Waits for `events` on fd until the deadline: true when ready.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace

Result<std::string> read_greeting(const std::string& address, int port, bool ipv6, Clock::time_point deadline,
                                  bool connect_only) {
  std::string where = address + " " + std::to_string(port);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET6, address.c_str(), &a->sin6_addr) != 1)
      return make_error(ErrorCode::invalid_argument, where + ": not an IPv6 address");
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, address.c_str(), &a->sin_addr) != 1)
      return make_error(ErrorCode::invalid_argument, where + ": not an IPv4 address");
    len = sizeof(sockaddr_in);
  }
  posix::UniqueFd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return make_error(ErrorCode::io_error, where + ": socket: " + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS)
    return make_error(ErrorCode::io_error, where + ": " + std::strerror(errno));
  if (!wait_for(fd.get(), POLLOUT, deadline))
    return make_error(ErrorCode::cancelled, where + ": no connection before the health timeout");
  int so_error = 0;
  socklen_t so_len = sizeof so_error;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &so_len);
  if (so_error != 0) return make_error(ErrorCode::io_error, where + ": " + std::strerror(so_error));
  if (connect_only) return std::string();

  std::string line;
  char buf[512];
  while (line.find("\r\n") == std::string::npos && line.size() < sizeof buf) {
    if (!wait_for(fd.get(), POLLIN, deadline))
      return make_error(ErrorCode::cancelled, where + ": no greeting before the health timeout");
    ssize_t n = ::recv(fd.get(), buf, sizeof buf - line.size(), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return make_error(ErrorCode::io_error, where + ": " + std::strerror(errno));
    if (n == 0) return make_error(ErrorCode::io_error, where + ": closed without a greeting");
    line.append(buf, static_cast<std::size_t>(n));
  }
  return line.substr(0, line.find("\r\n"));
}

}  // namespace dirmail::ctl
