#pragma once
// Errors are values: a code the edge maps to a protocol reply, and a message for logs.
#include <string>
#include <string_view>

namespace dirmail {

enum class ErrorCode {
  invalid_argument,   // bad input from a client or an admin
  not_found,          // the thing does not exist (a permanent answer)
  already_exists,
  permission_denied,  // refused by policy or credentials
  limit_exceeded,     // a size, count or rate limit
  temporary_failure,  // try again later: directory outage, lock busy, disk full
  io_error,           // the local system failed (disk, fsync, socket)
  protocol_error,     // the peer broke the protocol
  cancelled,          // shut down or timed out
  internal,           // a bug: should never happen
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;

  bool temporary() const {
    return code == ErrorCode::temporary_failure || code == ErrorCode::io_error ||
           code == ErrorCode::cancelled;
  }
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

// errno as an Error naming the operation and path that failed: temporary_failure for
// ENOSPC and EDQUOT, io_error otherwise.
Error errno_error(std::string_view what, std::string_view path, int err);

}  // namespace dirmail
