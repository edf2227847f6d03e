#pragma once
// The text of one incoming message on its way into the queue file, from DATA (lines,
// dot-unstuffed by the session) or BDAT (raw chunks, RFC 3030).
//   - Every line end becomes CR LF: a bare LF and a bare CR too, so the stored message
//     holds no line end another server could read differently (SMTP smuggling).
//   - The size limit is enforced while reading; nothing is held in memory.
//   - The header is watched: its size and field count are bounded, Message-ID, Date and
//     From are noted, and on submission a missing Message-ID and Date are added at its
//     end (RFC 6409 §8.3).
// A refusal stops the writing but not the reading: the session reads to the end of the
// message and then answers.
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/queue.hpp"

namespace dirmail::smtp {

struct IntakeLimits {
  std::uint64_t max_message_size = 0;  // bytes of message text; 0 = unlimited
  std::uint64_t max_header_size = 0;   // bytes of the header section; 0 = unlimited
  std::uint64_t max_header_fields = 0;  // 0 = unlimited
  bool add_missing_headers = false;     // Message-ID and Date (submission)
  std::string hostname;                 // for an added Message-ID
  std::uint64_t max_hops = 0;           // Received: fields before it is a loop; 0 = unlimited
};

class MessageIntake {
 public:
  enum class Refusal { none, too_big, header_too_big, too_many_hops, write_failed };
  inline static constexpr std::size_t max_from_value = 4096;
  inline static constexpr std::size_t max_watched_line = max_from_value + 16;

  MessageIntake(queue::MessageWriter& writer, IntakeLimits limits);

  // One DATA line, or a piece of a long one, without its line end; `complete`: the
  // line ends after this piece.
  void add_line(std::string_view text, bool complete);
  // Octets of a BDAT chunk as sent.
  void add_chunk(std::string_view bytes);
  // The end of the message.
  void finish();

  Refusal refusal() const { return refusal_; }
  const Status& write_status() const { return write_status_; }
  std::uint64_t text_size() const { return text_size_; }
  const std::string& message_id() const { return message_id_; }
  // The unfolded value of the first From: field ("" without one), at most max_from_value.
  const std::string& from_value() const { return from_; }
  bool has_from() const { return has_from_; }
  // The From: value was longer than max_from_value: from_value() is not all of it.
  bool from_truncated() const { return from_truncated_; }

 private:
  void take_line(std::string_view text, bool complete);
  void take_segment(std::string_view text, bool complete);  // text without any CR
  void watch_header(std::string_view text, bool complete);
  void note_header_line(std::string_view line);
  void end_header();
  void write(std::string_view data);

  queue::MessageWriter& writer_;
  IntakeLimits limits_;
  Refusal refusal_ = Refusal::none;
  Status write_status_;
  std::uint64_t text_size_ = 0;
  std::uint64_t header_size_ = 0;
  std::uint64_t header_fields_ = 0;
  std::uint64_t hops_ = 0;  // Received: fields
  bool in_header_ = true;
  bool line_start_ = true;
  bool pending_cr_ = false;  // BDAT: a CR at a chunk's end, maybe half of a CR LF
  enum class Field { other, from, message_id } field_ = Field::other;
  bool has_message_id_ = false;
  bool has_date_ = false;
  bool has_from_ = false;
  bool from_truncated_ = false;
  std::string message_id_;
  std::string from_;
  std::string header_line_;  // the header line being received, up to max_watched_line
};

}  // namespace dirmail::smtp
