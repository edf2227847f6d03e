#pragma once
// The MIME structure of a stored message (RFC 2045, RFC 2046): the tree of its parts and
// where each part's header and body lie in the message, found in one streaming pass
// that never holds the message. BODYSTRUCTURE and BODY[1.2.MIME] come from it.
//
// Bounded: a multipart or message/rfc822 nested deeper than max_mime_depth, and parts
// past max_mime_parts, are read as plain body bytes of their parent; a part header is
// kept up to max_part_header bytes (the message's own header up to the caller's limit).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/imap/content_fields.hpp"

namespace dirmail::imap {

inline constexpr std::size_t max_mime_depth = 20;
inline constexpr std::size_t max_mime_parts = 1000;
inline constexpr std::size_t max_part_header = 64 * 1024;
inline constexpr std::size_t max_boundary = 200;  // RFC 2046 says 70; generators exceed it

struct MimePart {
  std::uint64_t header_offset = 0;
  std::uint64_t header_size = 0;  // including the empty line that ends it
  std::uint64_t body_offset = 0;
  std::uint64_t body_size = 0;    // without the line break that belongs to the next boundary
  std::uint64_t body_lines = 0;   // line ends inside the body
  ContentFields fields;
  std::string envelope;           // the message itself and encapsulated messages: ENVELOPE
  // multipart: its parts; message/rfc822: one child, the encapsulated message, whose
  // header is the message's header (header_offset == this part's body_offset).
  std::vector<MimePart> children;
};

class MimeParser {
 public:
  // `max_root_header`: how much of the message's own header to keep (root_header()).
  explicit MimeParser(std::size_t max_root_header);
  MimeParser(const MimeParser&) = delete;
  MimeParser& operator=(const MimeParser&) = delete;

  void feed(std::string_view chunk);
  // Ends the message: every open part ends at its last byte. Call once, after feed().
  MimePart finish();
  // The message's header as kept (valid until finish()).
  std::string_view root_header() const { return root_header_; }
  std::uint64_t total_size() const { return offset_; }

 private:
  struct Frame {
    MimePart* part = nullptr;
    bool in_header = true;
    bool message_node = false;  // the message or an encapsulated one: keeps ENVELOPE
    bool digest_child = false;  // a part of multipart/digest: message/rfc822 by default
    std::string header;         // kept header bytes while in_header
    std::string boundary;       // a multipart's boundary, once its header has ended
    bool closed = false;        // the multipart's closing boundary was seen (epilogue follows)
    std::uint64_t body_lf = 0;  // line ends before the body began
  };

  // `line_break`: 2 (CRLF), 1 (LF) or 0 (the last line, without one).
  void on_line(std::string_view text, std::uint64_t length, std::size_t line_break);
  bool boundary_line(std::string_view text, std::uint64_t start, std::uint64_t lf_before);
  void end_header(std::uint64_t body_offset, std::uint64_t body_lf);
  void close_top(std::uint64_t end, std::uint64_t end_lf);
  void push(MimePart& part, std::uint64_t header_offset, bool message_node, bool digest_child);
  std::size_t line_room() const;

  std::size_t max_root_header_;
  MimePart root_;
  std::vector<Frame> stack_;
  std::string root_header_;
  std::string line_;           // the current line as kept
  std::uint64_t line_length_ = 0;  // its full length so far
  std::uint64_t offset_ = 0;   // bytes fed
  std::uint64_t lf_count_ = 0; // line ends in completed lines
  std::size_t prev_break_ = 0; // 2 for CRLF, 1 for LF: the previous line's line end
  bool last_cr_ = false;       // the last byte fed was CR (a CRLF split between chunks)
  std::size_t parts_ = 1;
  bool finished_ = false;
};

// The part a section path names (RFC 3501 §6.4.5): "1.2" is {1, 2}; a message that is
// not multipart has one part, 1 (its body); a number after a message/rfc822 part goes
// into the encapsulated message. nullptr when the path names no part. Non-empty path.
const MimePart* find_mime_part(const MimePart& root, std::span<const std::uint32_t> path);

}  // namespace dirmail::imap
