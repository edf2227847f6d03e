#include "dirmail/base/error.hpp"

#include <cerrno>
#include <cstring>

namespace dirmail {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid argument";
    case ErrorCode::not_found: return "not found";
    case ErrorCode::already_exists: return "already exists";
    case ErrorCode::permission_denied: return "permission denied";
    case ErrorCode::limit_exceeded: return "limit exceeded";
    case ErrorCode::temporary_failure: return "temporary failure";
    case ErrorCode::io_error: return "I/O error";
    case ErrorCode::protocol_error: return "protocol error";
    case ErrorCode::cancelled: return "cancelled";
    case ErrorCode::internal: return "internal error";
  }
  return "unknown error";
}

Error errno_error(std::string_view what, std::string_view path, int err) {
  std::string msg{what};
  if (!path.empty()) {
    msg += " ";
    msg += path;
  }
  msg += ": ";
  msg += std::strerror(err);
  // A full disk or quota clears up without anyone's help: callers answer 4xx.
  ErrorCode code = (err == ENOSPC || err == EDQUOT) ? ErrorCode::temporary_failure : ErrorCode::io_error;
  return Error{code, std::move(msg)};
}

}  // namespace dirmail
