#pragma once
// One message as the outbound SMTP client sends it: the envelope with its ESMTP
// parameters, and the message bytes as a range of an open file (the body of a queue
// file), read in chunks while sending.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/queue.hpp"

namespace dirmail::delivery {

struct OutboundRecipient {
  std::string address;  // forward path without <>
  std::string notify;   // DSN NOTIFY value, "" when not given (RFC 3461 §4.1)
  std::string orcpt;    // DSN ORCPT value "addr-type;xtext", "" when not given
};

struct OutboundMessage {
  std::string sender;  // reverse path without <>; empty for the null sender
  std::vector<OutboundRecipient> recipients;
  bool eight_bit = false;  // the message came with BODY=8BITMIME
  bool smtputf8 = false;   // the message came with SMTPUTF8
  std::string dsn_ret;     // "FULL", "HDRS" or ""
  std::string dsn_envid;   // xtext or ""
  int fd = -1;             // the file holding the message (not owned)
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// The message of a queue file open as `fd`, for the recipients at `indices` (the
// pending ones the runner routes to one host).
OutboundMessage outbound_message(const queue::QueuedMessage& queued, int fd, std::span<const std::size_t> indices);

// Whether bytes [offset, offset+length) of `fd` hold an octet above 127. Reads in
// chunks. Errors: temporary_failure when the file cannot be read.
Result<bool> contains_8bit(int fd, std::uint64_t offset, std::uint64_t length);

}  // namespace dirmail::delivery
