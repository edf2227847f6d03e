#pragma once
// Drives smtp::MessageIntake the way SmtpSession does, over a queue writer that keeps
// the bytes in memory. Shared by the unit tests and the smtp_message_intake fuzz target.
//   - DATA: the text (already dot-unstuffed) cut into lines as net::LineReader cuts
//     them with the session's 4096-octet limit: at each LF, a CR before it dropped,
//     and a longer line handed out in pieces (a trailing CR kept for the next piece).
//   - BDAT: the text as raw chunks, cut wherever the caller says.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../../../src/smtp/message_intake.hpp"
#include "dirmail/base/error.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/queue/queue.hpp"

namespace dirmail::smtp::intake_test {

inline constexpr std::size_t data_line_piece = 4096;  // SmtpSession's max_line_piece

class RecordingWriter : public queue::MessageWriter {
 public:
  // `fail_after`: the write that would take the file past this many octets fails.
  explicit RecordingWriter(std::optional<std::size_t> fail_after = std::nullopt) : fail_after_(fail_after) {}

  const std::string& id() const override { return id_; }
  Status write(std::string_view data) override {
    ++writes;
    if (fail_after_ && bytes.size() + data.size() > *fail_after_)
      return make_error(ErrorCode::temporary_failure, "disk full (test)");
    bytes += data;
    return ok_status();
  }
  std::uint64_t size() const override { return bytes.size(); }
  Status commit() override { return ok_status(); }
  void abort() override {}

  std::string bytes;
  std::size_t writes = 0;  // calls, failed ones included

 private:
  std::string id_ = "test-id";
  std::optional<std::size_t> fail_after_;
};

// What one intake produced.
struct IntakeOutcome {
  std::string stored;
  MessageIntake::Refusal refusal = MessageIntake::Refusal::none;
  std::string message_id;
  std::string from_value;
  bool has_from = false;
  std::uint64_t text_size = 0;

  bool operator==(const IntakeOutcome&) const = default;
};

inline IntakeOutcome outcome_of(const MessageIntake& intake, const RecordingWriter& writer) {
  return {writer.bytes, intake.refusal(), intake.message_id(), intake.from_value(), intake.has_from(),
          intake.text_size()};
}

// Feeds `text` as DATA lines. The end of `text` without an LF is handed out as a last,
// incomplete piece (a real DATA message always ends in a line end).
inline void feed_data_lines(MessageIntake& intake, std::string_view text) {
  while (!text.empty()) {
    std::size_t scan = std::min(text.size(), data_line_piece + 2);
    auto lf = text.substr(0, scan).find('\n');
    if (lf != std::string_view::npos) {
      std::size_t len = (lf > 0 && text[lf - 1] == '\r') ? lf - 1 : lf;
      if (len > data_line_piece) {
        intake.add_line(text.substr(0, data_line_piece), false);
        text.remove_prefix(data_line_piece);
        continue;
      }
      intake.add_line(text.substr(0, len), true);
      text.remove_prefix(lf + 1);
      continue;
    }
    if (text.size() >= data_line_piece) {
      std::size_t len = data_line_piece;
      if (text[len - 1] == '\r') --len;
      intake.add_line(text.substr(0, len), false);
      text.remove_prefix(len);
      continue;
    }
    intake.add_line(text, false);
    return;
  }
}

// Feeds `text` as BDAT chunks that end at the given offsets (ascending, any in
// 0..size; the rest after the last one is a chunk too).
inline void feed_bdat_chunks(MessageIntake& intake, std::string_view text, const std::vector<std::size_t>& cuts) {
  std::size_t start = 0;
  for (std::size_t cut : cuts) {
    cut = std::clamp(cut, start, text.size());
    intake.add_chunk(text.substr(start, cut - start));
    start = cut;
  }
  intake.add_chunk(text.substr(start));
}

inline IntakeOutcome take_as_data(std::string_view text, const IntakeLimits& limits) {
  RecordingWriter writer;
  MessageIntake intake(writer, limits);
  feed_data_lines(intake, text);
  intake.finish();
  return outcome_of(intake, writer);
}

inline IntakeOutcome take_as_bdat(std::string_view text, const IntakeLimits& limits,
                                  const std::vector<std::size_t>& cuts = {}) {
  RecordingWriter writer;
  MessageIntake intake(writer, limits);
  feed_bdat_chunks(intake, text, cuts);
  intake.finish();
  return outcome_of(intake, writer);
}

// The outcome with what changes from run to run made constant, for comparing two
// intakes of one message: a Message-ID the intake made up (it names `hostname`) and
// the value of every Date: line.
inline IntakeOutcome without_changing_values(IntakeOutcome o, std::string_view hostname) {
  const std::string made_up_end = "@" + std::string(hostname) + ">";
  const std::string_view id = o.message_id;
  if (id.size() > made_up_end.size() && id.front() == '<' && id.substr(id.size() - made_up_end.size()) == made_up_end) {
    o.stored = replace_all(o.stored, o.message_id, "<ID>");
    o.message_id = "<ID>";
  }
  std::string out;
  std::string_view rest = o.stored;
  while (!rest.empty()) {
    auto end = rest.find("\r\n");
    std::string_view line = rest.substr(0, end);
    out += line.substr(0, 6) == "Date: " ? "Date: X" : line;
    if (end == std::string_view::npos) break;
    out += "\r\n";
    rest.remove_prefix(end + 2);
  }
  o.stored = std::move(out);
  return o;
}

// Whether every CR in `s` starts a CR LF and every LF ends one.
inline bool only_crlf_line_ends(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) return false;
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
  }
  return true;
}

// The header section of a stored message (up to the first empty line, or all of it),
// split into lines without their CR LF.
inline std::vector<std::string_view> stored_header_lines(std::string_view stored) {
  std::vector<std::string_view> lines;
  while (!stored.empty()) {
    auto end = stored.find("\r\n");
    std::string_view line = stored.substr(0, end);
    if (line.empty()) break;
    lines.push_back(line);
    stored.remove_prefix(end == std::string_view::npos ? stored.size() : end + 2);
  }
  return lines;
}

inline bool is_field(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i])))
      return false;
  return true;
}

// How many fields of this name the stored header holds.
inline std::size_t stored_field_count(std::string_view stored, std::string_view name) {
  std::size_t n = 0;
  for (auto line : stored_header_lines(stored)) n += is_field(line, name) ? 1 : 0;
  return n;
}

// The unfolded value of the first From: field of the stored header (nullopt without one).
inline std::optional<std::string> stored_from_value(std::string_view stored) {
  std::optional<std::string> value;
  bool in_from = false;
  for (auto line : stored_header_lines(stored)) {
    bool continuation = line.front() == ' ' || line.front() == '\t';
    if (in_from && continuation) {
      *value += line;
      continue;
    }
    in_from = false;
    if (!value && !continuation && is_field(line, "From")) {
      value = std::string(line.substr(5));
      in_from = true;
    }
  }
  return value;
}

}  // namespace dirmail::smtp::intake_test
