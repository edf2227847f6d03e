#pragma once
// The client side of dirmaild's control socket (server.control_socket): one command
// line out, one JSON object back.
#include <chrono>
#include <cstdint>
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

// A member of a reply, or 0 / "" / false / nullptr when it is missing or of another type
// (a daemon of another version).
std::int64_t json_int(const boost::json::object& o, std::string_view key);
std::string json_string(const boost::json::object& o, std::string_view key);
bool json_bool(const boost::json::object& o, std::string_view key);
const boost::json::object* json_object(const boost::json::object& o, std::string_view key);

// The reply's "error" (or a note that it gave none).
std::string reply_error(const boost::json::object& reply);

}  // namespace dirmail::ctl
