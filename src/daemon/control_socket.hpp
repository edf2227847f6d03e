#pragma once
// dirmailctl's way into the running dirmaild: a Unix stream socket (server.control_socket)
// on which a client sends one command line ("status", "reload", ...) and reads one JSON
// reply. The socket is made with mode 0660, so root, the daemon's user and its group
// may use it; each command is logged with the caller's uid and pid. Commands run on
// the io_context given (the daemon's control thread, between signals and Group Policy
// refreshes), one at a time.
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/net/asio.hpp"

namespace dirmail::daemon {

inline constexpr std::size_t kMaxControlCommandBytes = 1024;

struct ControlPeer {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// Returns the reply (one JSON object) to a command line.
using ControlHandler = std::function<std::string(std::string_view command, const ControlPeer& peer)>;

class ControlSocket {
 public:
  // Errors: a path too long for a socket, a file there that is not a stale socket
  // (another dirmaild answering on it is already_exists), or the bind failing.
  static Result<std::unique_ptr<ControlSocket>> open(net::asio::io_context& io, const std::string& path,
                                                     ControlHandler handler);
  ~ControlSocket();  // stops accepting and removes the socket file

  const std::string& path() const { return path_; }

  struct State;  // the acceptor and the handler, shared with the connections in flight

 private:
  ControlSocket(std::string path, std::shared_ptr<State> state) : path_(std::move(path)), state_(std::move(state)) {}
  std::string path_;
  std::shared_ptr<State> state_;
};

}  // namespace dirmail::daemon
