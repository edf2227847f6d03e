#pragma once
// The client side of dirmaild's control socket (server.control_socket): one command
// line out, one JSON object back.
#include <chrono>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "dirmail/base/result.hpp"

namespace dirmail::ctl {

// The daemon's reply, "ok" true or false. Errors, each saying what to do: not_found
// when no dirmaild runs (no socket, or a socket nobody answers on), permission_denied
// when this user may not use the socket, io_error / cancelled for a broken or silent
// daemon.
Result<boost::json::object> ask_daemon(const std::string& socket_path, std::string_view command,
                                       std::chrono::seconds timeout = std::chrono::seconds(60));

// Whether the daemon did what was asked ("ok": true).
bool reply_ok(const boost::json::object& reply);

// The reply's "error" (or a note that it gave none).
std::string reply_error(const boost::json::object& reply);

}  // namespace dirmail::ctl
