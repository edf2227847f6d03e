#include "part_text.hpp"

#include <span>
#include <vector>

#include "dirmail/base/base64.hpp"
#include "dirmail/base/charset_conversion.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::imap {
namespace {

// RFC 2045 §6.7; a malformed escape is kept as written.
std::string decode_quoted_printable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '=') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 1 < in.size() && (in[i + 1] == '\n' || in[i + 1] == '\r')) {  // soft line break
      ++i;
      if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') ++i;
      continue;
    }
    int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
    int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      out.push_back('=');
      continue;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// RFC 2045 §6.8 as mail has it: line breaks and other characters outside the alphabet
// skipped; whatever decodes in whole groups of four is kept.
std::string decode_base64_lenient(std::string_view in) {
  std::string clean;
  clean.reserve(in.size());
  for (char c : in) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/') clean.push_back(c);
    else if (c == '=') break;
  }
  std::size_t whole = clean.size() - clean.size() % 4;
  std::string tail = clean.substr(whole);
  clean.resize(whole);
  if (tail.size() >= 2) {
    tail.append(4 - tail.size(), '=');
    clean += tail;
  }
  auto decoded = base64_decode(clean);
  return decoded ? std::move(*decoded) : std::string();
}

void text_parts(const MimePart& part, std::vector<const MimePart*>& out) {
  if (part.fields.type.multipart() || (part.fields.type.message() && !part.children.empty())) {
    for (const auto& child : part.children) text_parts(child, out);
  } else if (part.fields.type.type == "TEXT") {
    out.push_back(&part);
  }
}

}  // namespace

std::string decode_transfer_encoding(std::string_view body, std::string_view encoding) {
  if (encoding == "BASE64") return decode_base64_lenient(body);
  if (encoding == "QUOTED-PRINTABLE") return decode_quoted_printable(body);
  return std::string(body);
}

Result<std::string> message_text(store::MessageReader& reader, const MimePart& root) {
  std::vector<const MimePart*> parts;
  text_parts(root, parts);
  std::string text;
  std::uint64_t position = 0;
  for (const MimePart* part : parts) {  // in file order: the tree is walked depth first
    if (text.size() >= max_searched_text) break;
    if (part->body_offset < position) continue;
    DIRMAIL_TRY(reader.skip(part->body_offset - position));
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(part->body_size, max_searched_part));
    std::string body(want, '\0');
    std::size_t got = 0;
    while (got < want) {
      auto n = reader.read(std::span<char>(body.data() + got, want - got));
      if (!n) return std::move(n).error();
      if (*n == 0) break;
      got += *n;
    }
    body.resize(got);
    position = part->body_offset + got;
    std::string decoded = decode_transfer_encoding(body, part->fields.encoding);
    auto charset = part->fields.type.param("CHARSET");
    auto utf8 = convert_to_utf8(decoded, charset.empty() ? "US-ASCII" : charset);
    text += utf8 ? *utf8 : decoded;
    text.push_back('\n');
  }
  if (text.size() > max_searched_text) text.resize(max_searched_text);
  return text;
}

}  // namespace dirmail::imap
