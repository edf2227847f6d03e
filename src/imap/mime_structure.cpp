#include "dirmail/imap/mime_structure.hpp"

#include <algorithm>

#include "dirmail/imap/envelope.hpp"

namespace dirmail::imap {
namespace {

constexpr std::size_t kept_line = 2 + max_boundary + 2 + 54;  // room for a boundary line and padding

bool readable_encapsulation(const ContentFields& f) {
  // A base64 or quoted-printable message/rfc822 cannot be read without decoding: a leaf.
  return f.encoding == "7BIT" || f.encoding == "8BIT" || f.encoding == "BINARY";
}

}  // namespace

MimeParser::MimeParser(std::size_t max_root_header) : max_root_header_(max_root_header) {
  push(root_, 0, true, false);
}

std::size_t MimeParser::line_room() const {
  const Frame& top = stack_.back();
  if (!top.in_header) return kept_line;
  std::size_t limit = top.part == &root_ ? max_root_header_ : max_part_header;
  return std::max(kept_line, limit > top.header.size() ? limit - top.header.size() : 0);
}

void MimeParser::feed(std::string_view chunk) {
  while (!chunk.empty() && !finished_) {
    auto lf = chunk.find('\n');
    std::string_view piece = lf == std::string_view::npos ? chunk : chunk.substr(0, lf + 1);
    std::size_t room = line_room();
    if (line_.size() < room) line_.append(piece.substr(0, std::min(piece.size(), room - line_.size())));
    line_length_ += piece.size();
    offset_ += piece.size();
    bool cr = piece.size() >= 2 ? piece[piece.size() - 2] == '\r' : last_cr_;
    last_cr_ = piece.back() == '\r';
    chunk.remove_prefix(piece.size());
    if (lf == std::string_view::npos) break;
    on_line(line_, line_length_, cr ? 2 : 1);
    line_.clear();
    line_length_ = 0;
  }
}

void MimeParser::on_line(std::string_view text, std::uint64_t length, std::size_t line_break) {
  const std::uint64_t start = offset_ - length;
  const std::uint64_t lf_before = lf_count_;
  if (line_break > 0) ++lf_count_;
  bool whole = length == text.size();
  if (whole && text.starts_with("--") && boundary_line(text, start, lf_before)) {
    prev_break_ = line_break;
    return;
  }
  prev_break_ = line_break;
  Frame& top = stack_.back();
  if (!top.in_header) return;
  std::size_t limit = top.part == &root_ ? max_root_header_ : max_part_header;
  if (top.header.size() < limit) top.header.append(text.substr(0, limit - top.header.size()));
  if (whole && (text == "\r\n" || text == "\n")) end_header(offset_, lf_count_);
}

bool MimeParser::boundary_line(std::string_view text, std::uint64_t start, std::uint64_t lf_before) {
  for (std::size_t f = stack_.size(); f-- > 0;) {
    Frame& frame = stack_[f];
    if (frame.boundary.empty() || frame.closed) continue;
    std::string_view rest = text.substr(2);
    if (!rest.starts_with(frame.boundary)) continue;
    rest.remove_prefix(frame.boundary.size());
    bool closing = rest.starts_with("--");
    if (closing) rest.remove_prefix(2);
    if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos) continue;
    // The line break before a boundary belongs to the boundary (RFC 2046 §5.1.1).
    std::uint64_t end = start;
    std::uint64_t end_lf = lf_before;
    if (prev_break_ > 0 && end >= prev_break_) {
      end -= prev_break_;
      end_lf -= 1;
    }
    while (stack_.size() > f + 1) close_top(end, end_lf);
    Frame& multipart = stack_.back();
    if (closing) {
      multipart.closed = true;
    } else if (parts_ < max_mime_parts) {
      ++parts_;
      bool digest = multipart.part->fields.type.subtype == "DIGEST";
      MimePart& child = multipart.part->children.emplace_back();
      push(child, offset_, false, digest);
    }
    return true;
  }
  return false;
}

void MimeParser::end_header(std::uint64_t body_offset, std::uint64_t body_lf) {
  Frame& frame = stack_.back();
  MimePart& p = *frame.part;
  p.header_size = body_offset - p.header_offset;
  p.body_offset = body_offset;
  frame.body_lf = body_lf;
  frame.in_header = false;
  p.fields = content_fields(frame.header, frame.digest_child);
  if (frame.message_node) p.envelope = format_envelope(frame.header);
  if (frame.part == &root_) root_header_ = std::move(frame.header);
  frame.header = std::string();
  if (stack_.size() >= max_mime_depth) return;  // deeper structure is read as body bytes
  if (p.fields.type.multipart()) {
    auto boundary = p.fields.type.param("BOUNDARY");
    if (!boundary.empty() && boundary.size() <= max_boundary) frame.boundary = std::string(boundary);
  } else if (p.fields.type.message() && readable_encapsulation(p.fields) && parts_ < max_mime_parts) {
    ++parts_;
    MimePart& child = p.children.emplace_back();
    push(child, body_offset, true, false);  // last: `frame` is invalid after this
  }
}

void MimeParser::close_top(std::uint64_t end, std::uint64_t end_lf) {
  Frame& frame = stack_.back();
  MimePart& p = *frame.part;
  end = std::max(end, p.header_offset);
  if (frame.in_header) {  // no empty line: all of it is header (RFC 3501: the body is empty)
    p.header_size = end - p.header_offset;
    p.body_offset = end;
    p.fields = content_fields(frame.header, frame.digest_child);
    if (frame.message_node) p.envelope = format_envelope(frame.header);
    if (frame.part == &root_) root_header_ = std::move(frame.header);
  } else {
    p.body_size = end > p.body_offset ? end - p.body_offset : 0;
    p.body_lines = end_lf > frame.body_lf ? end_lf - frame.body_lf : 0;
  }
  stack_.pop_back();
}

void MimeParser::push(MimePart& part, std::uint64_t header_offset, bool message_node, bool digest_child) {
  part.header_offset = header_offset;
  Frame frame;
  frame.part = &part;
  frame.message_node = message_node;
  frame.digest_child = digest_child;
  stack_.push_back(std::move(frame));
}

MimePart MimeParser::finish() {
  if (!finished_) {
    if (line_length_ > 0) on_line(line_, line_length_, 0);
    while (!stack_.empty()) close_top(offset_, lf_count_);
    finished_ = true;
  }
  return std::move(root_);
}

const MimePart* find_mime_part(const MimePart& root, std::span<const std::uint32_t> path) {
  const MimePart* node = &root;  // a message (or a multipart) whose parts the next number counts
  for (std::size_t i = 0; i < path.size(); ++i) {
    const MimePart* part = nullptr;
    if (node->fields.type.multipart() && !node->children.empty()) {
      if (path[i] == 0 || path[i] > node->children.size()) return nullptr;
      part = &node->children[path[i] - 1];
    } else {
      if (path[i] != 1) return nullptr;  // a message that is not multipart has one part
      part = node;
    }
    if (i + 1 == path.size()) return part;
    if (part->fields.type.message() && !part->children.empty()) {
      node = &part->children.front();
    } else if (part != node && part->fields.type.multipart()) {
      node = part;
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

}  // namespace dirmail::imap
