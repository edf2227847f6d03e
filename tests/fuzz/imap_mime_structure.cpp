// Fuzzes MimeParser (mime_structure.hpp), find_mime_part and format_body_structure
// (body_structure.hpp) on whole messages. Input: one byte picking the chunk size the
// message is fed in, then the message.
// The structure does not depend on how the message is cut into chunks; every part's
// header and body lie inside its parent's body and in order; depth and part count stay
// within their limits; every part is found again by its own section path; BODY and
// BODYSTRUCTURE are well-formed IMAP lists (a strict reader reads them) whose sizes are
// the parts' body sizes.
#include <string>
#include <vector>

#include "dirmail/imap/body_structure.hpp"
#include "dirmail/imap/mime_structure.hpp"
#include "fuzz_check.hpp"
#include "imap_value_reader.hpp"

namespace {

using namespace dirmail;
using fuzz::ImapValue;
using imap::MimePart;

MimePart parse(std::string_view message, std::size_t chunk) {
  imap::MimeParser parser(4096);
  for (std::size_t i = 0; i < message.size(); i += chunk) parser.feed(message.substr(i, chunk));
  FUZZ_CHECK(parser.total_size() == message.size());
  return parser.finish();
}

// Ranges nest; returns the parts counted.
std::size_t check_ranges(const MimePart& p, std::uint64_t begin, std::uint64_t end, std::size_t depth) {
  FUZZ_CHECK(depth <= imap::max_mime_depth);
  FUZZ_CHECK(begin <= p.header_offset && p.header_offset + p.header_size == p.body_offset);
  FUZZ_CHECK(p.body_offset + p.body_size <= end);
  FUZZ_CHECK(p.body_lines <= p.body_size);
  std::size_t parts = 1;
  std::uint64_t next = p.body_offset;
  for (const auto& child : p.children) {
    FUZZ_CHECK(child.header_offset >= next);
    parts += check_ranges(child, p.body_offset, p.body_offset + p.body_size, depth + 1);
    next = child.body_offset + child.body_size;
  }
  if (p.fields.type.message() && !p.children.empty()) {
    FUZZ_CHECK(p.children.size() == 1 && p.children[0].header_offset == p.body_offset);
  }
  return parts;
}

// Every part a path can name is found by it. `node` is what the next number counts in.
void check_paths(const MimePart& root, const MimePart& node, std::vector<std::uint32_t>& path) {
  if (path.size() > imap::max_mime_depth + 2) return;
  auto visit = [&](const MimePart& part, std::uint32_t n) {
    path.push_back(n);
    FUZZ_CHECK(imap::find_mime_part(root, path) == &part);
    if (part.fields.type.message() && !part.children.empty()) check_paths(root, part.children.front(), path);
    else if (&part != &node && part.fields.type.multipart() && !part.children.empty()) check_paths(root, part, path);
    path.pop_back();
  };
  if (node.fields.type.multipart() && !node.children.empty()) {
    for (std::uint32_t i = 0; i < node.children.size(); ++i) visit(node.children[i], i + 1);
  } else {
    visit(node, 1);
  }
}

// One body (RFC 3501 §9 "body") as written for `part`.
void check_body(const ImapValue& v, const MimePart& part, bool extensible) {
  FUZZ_CHECK(v.is_list());
  const auto& items = v.items;
  if (part.fields.type.multipart()) {
    std::size_t bodies = 0;
    while (bodies < items.size() && items[bodies].is_list()) ++bodies;
    FUZZ_CHECK(bodies >= 1 && bodies == std::max<std::size_t>(1, part.children.size()));
    for (std::size_t i = 1; i < bodies; ++i) FUZZ_CHECK(items[i].joined);
    for (std::size_t i = 0; i < part.children.size(); ++i) check_body(items[i], part.children[i], extensible);
    FUZZ_CHECK(items.size() == bodies + 1 + (extensible ? 4 : 0));
    FUZZ_CHECK(items[bodies].is_string() && items[bodies].text == part.fields.type.subtype);
    return;
  }
  FUZZ_CHECK(items.size() >= 7);
  FUZZ_CHECK(items[0].is_string() && items[0].text == part.fields.type.type);
  FUZZ_CHECK(items[1].is_string() && items[1].text == part.fields.type.subtype);
  FUZZ_CHECK(items[6].kind == ImapValue::Kind::number && items[6].text == std::to_string(part.body_size));
  std::size_t next = 7;
  if (part.fields.type.message() && !part.children.empty()) {
    FUZZ_CHECK(items.size() >= 10 && items[7].is_list() && items[7].items.size() == 10);
    check_body(items[8], part.children.front(), extensible);
    next = 9;
  }
  if (next == 9 || part.fields.type.type == "TEXT") {
    FUZZ_CHECK(items[next].kind == ImapValue::Kind::number && items[next].text == std::to_string(part.body_lines));
    ++next;
  }
  FUZZ_CHECK(items.size() == next + (extensible ? 4 : 0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  static constexpr std::size_t chunks[] = {1, 2, 3, 5, 16, 64, 1000, 1 << 20};
  const std::size_t chunk = chunks[fuzz::take_byte(input) & 7];
  const MimePart root = parse(input, chunk);
  const MimePart whole = parse(input, input.size() + 1);
  FUZZ_CHECK(check_ranges(root, 0, input.size(), 1) <= imap::max_mime_parts);
  std::vector<std::uint32_t> path;
  check_paths(root, root, path);
  for (bool extensible : {false, true}) {
    const std::string text = imap::format_body_structure(root, extensible);
    FUZZ_CHECK(text == imap::format_body_structure(whole, extensible));
    auto v = fuzz::read_imap_value(text);
    FUZZ_CHECK(v);
    check_body(*v, root, extensible);
  }
  return 0;
}
