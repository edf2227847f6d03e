// Fuzzes the queue file header parser (parse_queue_header) and its round trip through
// format_queue_header.
#include <string>

#include "dirmail/queue/queue_header.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

bool clean_value(std::string_view v) {
  return v.size() <= queue::kMaxQueueValueBytes &&
         v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool same_envelope(const queue::Envelope& a, const queue::Envelope& b) {
  return a.sender == b.sender && a.recipients == b.recipients && a.client_address == b.client_address &&
         a.helo == b.helo && a.auth_user == b.auth_user && a.received_at == b.received_at;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view file = fuzz::as_view(data, size);
  auto parsed = queue::parse_queue_header(file);
  if (!parsed) {
    const auto code = parsed.error().code;
    FUZZ_CHECK(code == ErrorCode::invalid_argument || code == ErrorCode::limit_exceeded);
    return 0;
  }
  // The header is the magic line, "key value" lines and a blank line, within 1 MiB.
  FUZZ_CHECK(file.substr(0, queue::kQueueFileMagic.size() + 1) == std::string(queue::kQueueFileMagic) + "\n");
  FUZZ_CHECK(parsed->body_offset <= file.size() && parsed->body_offset <= queue::kMaxQueueHeaderBytes);
  FUZZ_CHECK(parsed->body_offset >= 2 && file.substr(parsed->body_offset - 2, 2) == "\n\n");
  const queue::Envelope& env = parsed->envelope;
  FUZZ_CHECK(!parsed->id.empty() && clean_value(parsed->id));
  FUZZ_CHECK(env.received_at >= 0);
  FUZZ_CHECK(!env.recipients.empty() && env.recipients.size() <= queue::kMaxQueueRecipients);
  for (const auto& r : env.recipients) FUZZ_CHECK(clean_value(r));
  FUZZ_CHECK(clean_value(env.sender) && clean_value(env.client_address) && clean_value(env.helo) &&
             clean_value(env.auth_user));

  // Whatever the parser accepts, the writer can write, and it reads back the same.
  auto formatted = queue::format_queue_header(parsed->id, env);
  if (!formatted) {
    // Only a header grown past 1 MiB by the rewrite ("rcpt" -> "rcpt ") may be refused.
    FUZZ_CHECK(formatted.error().code == ErrorCode::limit_exceeded);
    FUZZ_CHECK(parsed->body_offset + env.recipients.size() + 16 > queue::kMaxQueueHeaderBytes);
    return 0;
  }
  auto reparsed = queue::parse_queue_header(*formatted + "message body\r\n");
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(reparsed->id == parsed->id);
  FUZZ_CHECK(same_envelope(reparsed->envelope, env));
  FUZZ_CHECK(reparsed->body_offset == formatted->size());
  // The canonical form is a fixed point.
  auto again = queue::format_queue_header(reparsed->id, reparsed->envelope);
  FUZZ_CHECK(again.ok() && *again == *formatted);
  return 0;
}
