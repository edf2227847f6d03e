// Fuzzes the recipient state log replay (parse_recipient_state_log), retry lines
// included. The first byte is the message's recipient count (0..255); the rest is the log.
#include <string>

#include "dirmail/queue/recipient_state_log.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

// What format_recipient_state_line does to a reason.
std::string sanitised(std::string_view reason) {
  std::string out;
  for (char c : reason.substr(0, queue::kMaxStateReasonBytes)) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view log = fuzz::as_view(data, size);
  const std::size_t recipients = fuzz::take_byte(log);
  auto parsed = queue::parse_recipient_state_log(log, recipients);
  if (log.size() > queue::kMaxStateLogBytes) {
    FUZZ_CHECK(!parsed.ok() && parsed.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  FUZZ_CHECK(parsed.ok());  // within the size limit, damage is skipped, never an error
  FUZZ_CHECK(parsed->states.size() == recipients && parsed->reasons.size() == recipients);
  std::string rewritten;
  for (std::size_t i = 0; i < recipients; ++i) {
    const auto state = parsed->states[i];
    const std::string& reason = parsed->reasons[i];
    FUZZ_CHECK(reason.size() <= queue::kMaxStateReasonBytes);
    FUZZ_CHECK(reason.find('\n') == std::string::npos);
    if (state == queue::RecipientState::pending) {
      FUZZ_CHECK(reason.empty());
      continue;
    }
    rewritten += queue::format_recipient_state_line(i, state, reason);
  }

  // Retry lines print back to the same history (the last error sanitised).
  FUZZ_CHECK(parsed->retries.size() == recipients);
  std::string retries;
  for (std::size_t i = 0; i < recipients; ++i) {
    if (!parsed->retries[i]) continue;
    FUZZ_CHECK(parsed->retries[i]->last_error.size() <= queue::kMaxStateReasonBytes);
    retries += queue::format_retry_state_line(i, *parsed->retries[i]);
  }
  auto retried = queue::parse_recipient_state_log(retries, recipients);
  FUZZ_CHECK(retried.ok());
  for (std::size_t i = 0; i < recipients; ++i) {
    FUZZ_CHECK(retried->retries[i].has_value() == parsed->retries[i].has_value());
    if (!parsed->retries[i]) continue;
    queue::RetryState expected = *parsed->retries[i];
    expected.last_error = sanitised(expected.last_error);
    FUZZ_CHECK(*retried->retries[i] == expected);
    FUZZ_CHECK(retried->states[i] == queue::RecipientState::pending);
  }

  // A log holding one line per settled recipient replays to the same states.
  auto replayed = queue::parse_recipient_state_log(rewritten, recipients);
  FUZZ_CHECK(replayed.ok());
  FUZZ_CHECK(replayed->states == parsed->states);
  for (std::size_t i = 0; i < recipients; ++i) FUZZ_CHECK(replayed->reasons[i] == sanitised(parsed->reasons[i]));

  // A torn last append (no newline) changes nothing; the lines before it still count.
  std::string torn(log);
  if (!torn.empty() && torn.back() != '\n') torn = torn.substr(0, torn.rfind('\n') + 1);
  torn += "0 delivered torn";
  auto with_torn_tail = queue::parse_recipient_state_log(torn, recipients);
  FUZZ_CHECK(with_torn_tail.ok());
  FUZZ_CHECK(with_torn_tail->states == parsed->states && with_torn_tail->reasons == parsed->reasons);

  // A later line for the same recipient wins.
  if (recipients > 0) {
    std::string appended = torn.substr(0, torn.rfind('\n') + 1) +
                           queue::format_recipient_state_line(recipients - 1, queue::RecipientState::failed,
                                                              "5.1.1 later");
    auto later = queue::parse_recipient_state_log(appended, recipients);
    FUZZ_CHECK(later.ok());
    FUZZ_CHECK(later->states[recipients - 1] == queue::RecipientState::failed);
    FUZZ_CHECK(later->reasons[recipients - 1] == "5.1.1 later");
    for (std::size_t i = 0; i + 1 < recipients; ++i) FUZZ_CHECK(later->states[i] == parsed->states[i]);
  }
  return 0;
}
