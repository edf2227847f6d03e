#pragma once
// The first line a mail service sends on a new connection (SMTP "220 …", POP3 "+OK …",
// IMAP "* OK …"), read with a deadline: what a client would see first, and therefore
// what "the service answers" means for dirmailctl health.
#include <chrono>
#include <string>

#include "dirmail/base/result.hpp"

namespace dirmail::ctl {

// Connects to address:port and reads up to the first CRLF (at most 512 bytes).
// Errors: cancelled when the deadline passes, io_error when the connection fails.
// With connect_only, succeeds with an empty line once the connection is made (for
// implicit-TLS listeners, whose greeting comes after a handshake).
Result<std::string> read_greeting(const std::string& address, int port, bool ipv6,
                                  std::chrono::steady_clock::time_point deadline, bool connect_only = false);

}  // namespace dirmail::ctl
