// Fuzzes MessageIntake (src/smtp/message_intake.hpp): what reaches the queue file from
// DATA lines and BDAT chunks. Input: byte 0 the limits (bit 0: add Message-ID and
// Date; bit 1: a message size limit; bit 2: a header field limit; bit 3: a header size
// limit), byte 1 the number of BDAT cuts (low 4 bits), two bytes per cut (where, modulo
// the message size + 1), then the message.
// Checks: every stored line end is CR LF; BDAT cut anywhere stores what BDAT in one
// chunk stores, and what DATA lines store; a message accepted whole is the input with
// its line ends made CR LF; the limits hold; what the intake noted about the header
// (From:, the field count, the added fields) matches the header as stored.
#include <algorithm>
#include <string>
#include <vector>

#include "../unit/smtp/message_intake_harness.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using namespace dirmail::smtp::intake_test;
using Refusal = smtp::MessageIntake::Refusal;

constexpr std::uint64_t size_limit = 64;  // + 4096 octets of headroom: 4160
constexpr std::uint64_t field_limit = 4;
constexpr std::uint64_t header_size_limit = 200;
constexpr std::string_view hostname = "intake.fuzz.test";

// Every line end (CR LF, bare CR, bare LF) as CR LF, and one at the end if missing.
std::string canonical(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  return out;
}

// Two intakes of one message agree: the same refusal, and when accepted the same
// stored text and notes. (A refused message is dropped, so where exactly the writing
// stopped may differ.)
bool same(const IntakeOutcome& a, const IntakeOutcome& b) {
  if (a.refusal != b.refusal) return false;
  if (a.refusal != Refusal::none) return true;
  return without_changing_values(a, hostname) == without_changing_values(b, hostname);
}

void check_stored(const IntakeOutcome& o, const smtp::IntakeLimits& limits) {
  FUZZ_CHECK(only_crlf_line_ends(o.stored));
  if (o.refusal == Refusal::none) FUZZ_CHECK(o.stored.size() == o.text_size);
  if (limits.max_message_size > 0) FUZZ_CHECK(o.stored.size() <= limits.max_message_size + 4096);
  if (o.refusal != Refusal::none) return;
  // The header as stored is the header the intake watched.
  auto from = stored_from_value(o.stored);
  FUZZ_CHECK(o.has_from == from.has_value());
  if (from) FUZZ_CHECK(o.from_value == from->substr(0, smtp::MessageIntake::max_from_value));
  if (limits.max_header_fields > 0) {
    std::size_t fields = 0;
    for (auto line : stored_header_lines(o.stored)) fields += (line.front() != ' ' && line.front() != '\t') ? 1 : 0;
    // The added Message-ID and Date do not count.
    FUZZ_CHECK(fields <= limits.max_header_fields + (limits.add_missing_headers ? 2 : 0));
  }
  if (limits.max_header_size > 0 && !limits.add_missing_headers) {
    std::uint64_t header_size = 0;
    for (auto line : stored_header_lines(o.stored)) header_size += line.size() + 2;
    FUZZ_CHECK(header_size <= limits.max_header_size);
  }
  if (limits.add_missing_headers) {
    FUZZ_CHECK(stored_field_count(o.stored, "Message-ID") >= 1);
    FUZZ_CHECK(stored_field_count(o.stored, "Date") >= 1);
    // Noted, unless the client's Message-ID: has nothing on its first line.
    if (o.message_id.empty()) {
      std::string_view first_value = "x";
      for (auto line : stored_header_lines(o.stored))
        if (is_field(line, "Message-ID")) {
          first_value = trim(line.substr(11));
          break;
        }
      FUZZ_CHECK(first_value.empty());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::uint8_t flags = fuzz::take_byte(input);
  const std::size_t cut_count = fuzz::take_byte(input) & 15;
  std::vector<std::size_t> raw_cuts;
  for (std::size_t i = 0; i < cut_count && input.size() >= 2; ++i) {
    raw_cuts.push_back(static_cast<std::uint8_t>(input[0]) | (static_cast<std::uint8_t>(input[1]) << 8));
    input.remove_prefix(2);
  }
  const std::string_view text = input;

  smtp::IntakeLimits limits;
  limits.add_missing_headers = (flags & 1) != 0;
  limits.hostname = std::string(hostname);
  if (flags & 2) limits.max_message_size = size_limit;
  if (flags & 4) limits.max_header_fields = field_limit;
  if (flags & 8) limits.max_header_size = header_size_limit;

  auto cuts_for = [&](std::size_t length) {
    std::vector<std::size_t> cuts;
    for (auto c : raw_cuts) cuts.push_back(c % (length + 1));
    std::sort(cuts.begin(), cuts.end());
    return cuts;
  };

  // BDAT, with the text as it is.
  const auto whole = take_as_bdat(text, limits);
  const auto split = take_as_bdat(text, limits, cuts_for(text.size()));
  check_stored(whole, limits);
  check_stored(split, limits);
  FUZZ_CHECK(same(whole, split));

  if (whole.refusal == Refusal::none && !limits.add_missing_headers) FUZZ_CHECK(whole.stored == canonical(text));
  if (whole.refusal == Refusal::too_big) FUZZ_CHECK(limits.max_message_size > 0);
  if (whole.refusal == Refusal::header_too_big)
    FUZZ_CHECK(limits.max_header_fields > 0 || limits.max_header_size > 0);
  FUZZ_CHECK(whole.refusal != Refusal::write_failed);
  // Refused, the stored text is where the intake stopped: a prefix of the full one.
  if (whole.refusal != Refusal::none && !limits.add_missing_headers) {
    auto unlimited = take_as_bdat(text, smtp::IntakeLimits{});
    FUZZ_CHECK(unlimited.stored.compare(0, whole.stored.size(), whole.stored) == 0);
  }

  // DATA: a message sent with DATA always ends in a line end.
  std::string lines(text);
  if (lines.empty() || lines.back() != '\n') lines += "\r\n";
  const auto data_lines = take_as_data(lines, limits);
  check_stored(data_lines, limits);
  FUZZ_CHECK(same(data_lines, take_as_bdat(lines, limits)));
  FUZZ_CHECK(same(data_lines, take_as_bdat(lines, limits, cuts_for(lines.size()))));
  return 0;
}
