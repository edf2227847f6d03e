// Fuzzes the outbound client's reply parser (ReplyAssembler through parse_replies) and
// the EHLO keyword parser on what it yields. Input: one byte choosing the limits, then
// the peer's output. Checks: every reply obeys the limits, its code is 200..599 and
// any enhanced code matches its class; a line at the limit is accepted and one octet
// more is refused; the EHLO parser keeps its bounds.
#include <string>

#include "dirmail/delivery/peer_capabilities.hpp"
#include "dirmail/delivery/smtp_reply.hpp"
#include "fuzz_check.hpp"

using namespace dirmail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::uint8_t control = fuzz::take_byte(input);
  delivery::ReplyLimits limits;
  limits.max_line = 8 + (control & 0x3f) * 16;  // 8..1016 octets
  limits.max_lines = 1 + (control >> 6) * 8;     // 1..25 lines
  auto replies = delivery::parse_replies(input, limits);
  if (!replies) {
    FUZZ_CHECK(replies.error().code == ErrorCode::protocol_error || replies.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  for (const auto& reply : *replies) {
    FUZZ_CHECK(reply.code >= 200 && reply.code <= 599);
    FUZZ_CHECK(!reply.lines.empty() && reply.lines.size() <= limits.max_lines);
    for (const auto& line : reply.lines) {
      FUZZ_CHECK(line.size() + 4 <= limits.max_line);
      for (char c : line) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 || c == '\t');
    }
    if (!reply.enhanced.empty()) {
      FUZZ_CHECK(reply.enhanced.front() == static_cast<char>('0' + reply.klass()));
      FUZZ_CHECK(reply.lines.front().compare(0, reply.enhanced.size(), reply.enhanced) == 0);
    }
    auto caps = delivery::parse_ehlo_reply(reply);
    FUZZ_CHECK(caps.auth_mechanisms.size() <= 32);
    for (const auto& mech : caps.auth_mechanisms) {
      FUZZ_CHECK(!mech.empty() && mech.size() <= 40);
      FUZZ_CHECK(mech.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos);
    }
  }
  // The line limit is exact: a reply line of max_line octets passes, one more fails.
  std::string at_limit = "250 " + std::string(limits.max_line - 4, 'x');
  FUZZ_CHECK(delivery::parse_replies(at_limit, limits));
  auto over = delivery::parse_replies(at_limit + "x", limits);
  FUZZ_CHECK(!over && over.error().code == ErrorCode::limit_exceeded);
  return 0;
}
