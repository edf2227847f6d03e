#include "message_intake.hpp"

#include "dirmail/base/message_id.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"

namespace dirmail::smtp {
namespace {

constexpr std::uint64_t received_headroom = 4096;  // our own Received: is not the client's size

// "Message-ID:" and the like, case-insensitive, at the start of a field.
bool field_is(std::string_view line, std::string_view name) {
  return line.size() > name.size() && line[name.size()] == ':' && istarts_with(line, name);
}

}  // namespace

MessageIntake::MessageIntake(queue::MessageWriter& writer, IntakeLimits limits)
    : writer_(writer), limits_(std::move(limits)) {}

void MessageIntake::write(std::string_view data) {
  if (refusal_ != Refusal::none) return;
  text_size_ += data.size();
  if (limits_.max_message_size > 0 && text_size_ > limits_.max_message_size + received_headroom) {
    refusal_ = Refusal::too_big;
    return;
  }
  write_status_ = writer_.write(data);
  if (!write_status_.ok()) refusal_ = Refusal::write_failed;
}

void MessageIntake::add_line(std::string_view text, bool complete) { take_line(text, complete); }

void MessageIntake::add_chunk(std::string_view bytes) {
  constexpr std::size_t max_piece = 4096;  // long lines go on in pieces, as DATA's do
  std::string joined;
  if (pending_cr_) {
    joined = "\r";
    joined += bytes;
    bytes = joined;
    pending_cr_ = false;
  }
  while (!bytes.empty()) {
    auto lf = bytes.substr(0, max_piece).find('\n');
    if (lf != std::string_view::npos) {
      std::string_view text = bytes.substr(0, lf);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      take_line(text, true);
      bytes.remove_prefix(lf + 1);
      continue;
    }
    std::string_view piece = bytes.substr(0, max_piece);
    const bool last = piece.size() == bytes.size();
    // A CR at the end may be half of a CR LF: it goes with what follows (the next
    // piece, or the next chunk).
    if (piece.back() == '\r' && (last || piece.size() > 1)) {
      piece.remove_suffix(1);
      pending_cr_ = last;
    }
    if (!piece.empty()) take_line(piece, false);
    bytes.remove_prefix(piece.size() + (last && pending_cr_ ? 1 : 0));
  }
}

void MessageIntake::take_line(std::string_view text, bool complete) {
  // A bare CR inside the text is a line end too (see the header comment): the stored
  // message and the header watch see the same lines.
  for (auto cr = text.find('\r'); cr != std::string_view::npos; cr = text.find('\r')) {
    take_segment(text.substr(0, cr), true);
    text.remove_prefix(cr + 1);
  }
  take_segment(text, complete);
}

void MessageIntake::take_segment(std::string_view text, bool complete) {
  if (in_header_ && line_start_ && complete && text.empty()) {
    end_header();
  } else if (in_header_) {
    watch_header(text, complete);
  }
  write(text);
  if (complete) write("\r\n");
  // An empty piece (the text before a CR that ends a chunk) leaves us where we were.
  line_start_ = complete || (line_start_ && text.empty());
}

// Pieces of a header line are gathered (up to a bound) and the line is looked at once
// it is complete, so where a chunk or a piece ends changes nothing.
void MessageIntake::watch_header(std::string_view text, bool complete) {
  header_size_ += text.size() + (complete ? 2 : 0);
  if (header_line_.size() < max_watched_line) header_line_ += text.substr(0, max_watched_line - header_line_.size());
  if (complete) {
    note_header_line(header_line_);
    header_line_.clear();
  }
  if ((limits_.max_header_size > 0 && header_size_ > limits_.max_header_size) ||
      (limits_.max_header_fields > 0 && header_fields_ > limits_.max_header_fields)) {
    if (refusal_ == Refusal::none) refusal_ = Refusal::header_too_big;
  }
}

void MessageIntake::note_header_line(std::string_view line) {
  if (!line.empty() && line.front() != ' ' && line.front() != '\t') {
    ++header_fields_;
    field_ = Field::other;
    if (field_is(line, "Message-ID")) {
      has_message_id_ = true;
      if (message_id_.empty()) {
        field_ = Field::message_id;  // the value may be on a folded line
        line.remove_prefix(11);
      }
    } else if (field_is(line, "Date")) {
      has_date_ = true;
    } else if (field_is(line, "Received")) {
      // RFC 5321 §6.3: a message that has passed this many relays is in a loop.
      if (limits_.max_hops > 0 && ++hops_ > limits_.max_hops && refusal_ == Refusal::none)
        refusal_ = Refusal::too_many_hops;
    } else if (field_is(line, "From") && !has_from_) {
      has_from_ = true;
      field_ = Field::from;
      line.remove_prefix(5);
    }
  }
  if (field_ == Field::from) {
    if (from_.size() + line.size() > max_from_value) from_truncated_ = true;
    if (from_.size() < max_from_value) from_ += line.substr(0, max_from_value - from_.size());  // unfolded
  }
  if (field_ == Field::message_id && message_id_.empty())
    message_id_ = std::string(trim(line).substr(0, 256));
}

void MessageIntake::end_header() {
  in_header_ = false;
  if (!limits_.add_missing_headers) return;
  if (!line_start_) write("\r\n");
  if (!has_message_id_) {
    message_id_ = new_message_id(limits_.hostname);
    write("Message-ID: " + message_id_ + "\r\n");
  }
  if (!has_date_) write("Date: " + rfc5322_date(unix_now()) + "\r\n");
  line_start_ = true;
}

void MessageIntake::finish() {
  if (pending_cr_) {  // a bare CR at the very end
    pending_cr_ = false;
    take_line("", true);
  }
  if (!line_start_) take_segment("", true);  // the last line's end, seen by the header watch too
  if (in_header_) end_header();  // a message of header fields only
}

}  // namespace dirmail::smtp
