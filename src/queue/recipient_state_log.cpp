#include "dirmail/queue/recipient_state_log.hpp"

#include <charconv>

namespace dirmail::queue {

std::string format_recipient_state_line(std::size_t index, RecipientState state, std::string_view reason) {
  std::string line = std::to_string(index);
  line += state == RecipientState::delivered ? " delivered " : " failed ";
  for (char c : reason.substr(0, kMaxStateReasonBytes)) {
    auto u = static_cast<unsigned char>(c);
    line += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  line += '\n';
  return line;
}

Result<RecipientStates> parse_recipient_state_log(std::string_view data, std::size_t recipients) {
  if (data.size() > kMaxStateLogBytes) return make_error(ErrorCode::limit_exceeded, "recipient state log exceeds 16 MiB");
  RecipientStates out;
  out.states.assign(recipients, RecipientState::pending);
  out.reasons.assign(recipients, std::string());
  out.retries.assign(recipients, std::nullopt);
  std::size_t pos = 0;
  for (;;) {
    auto end = data.find('\n', pos);
    if (end == std::string_view::npos) break;  // torn or empty tail
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;

    auto space = line.find(' ');
    if (space == std::string_view::npos || space == 0 || space > 5) continue;
    std::size_t index = 0;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + space, index);
    if (ec != std::errc() || ptr != line.data() + space || index >= recipients) continue;
    std::string_view rest = line.substr(space + 1);
    auto word_end = rest.find(' ');
    std::string_view word = rest.substr(0, word_end);
    std::string_view reason = word_end == std::string_view::npos ? std::string_view{} : rest.substr(word_end + 1);
    if (word == "retry") {
      if (auto retry = parse_retry_state_fields(reason)) out.retries[index] = std::move(*retry);
      continue;
    }
    if (reason.size() > kMaxStateReasonBytes) continue;
    RecipientState state;
    if (word == "delivered")
      state = RecipientState::delivered;
    else if (word == "failed")
      state = RecipientState::failed;
    else
      continue;
    out.states[index] = state;
    out.reasons[index] = std::string(reason);
    out.retries[index].reset();  // an outcome ends the retry history
  }
  return out;
}

}  // namespace dirmail::queue
