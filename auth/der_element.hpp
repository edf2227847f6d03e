#pragma once
// The few DER reading steps the Kerberos token readers share (kerberos_ticket_name.cpp,
// spnego_token.cpp): one tag-length-value element at a time, definite lengths only.
// Private to auth/: the public parsers put their own limits around it.
#include <cstddef>
#include <string_view>

namespace dirmail::auth::der {

// One DER element: its tag octet and contents.
struct Element {
  unsigned char tag = 0;
  std::string_view contents;
};

// Reads the element at the start of `in` and moves `in` past it. False for a high tag
// number (none in these messages), the indefinite length, a length of more than 3
// octets (16 MB, far over every token limit) or one that runs past the input.
inline bool read_element(std::string_view& in, Element& out) {
  if (in.size() < 2) return false;
  out.tag = static_cast<unsigned char>(in[0]);
  if ((out.tag & 0x1f) == 0x1f) return false;
  auto first = static_cast<unsigned char>(in[1]);
  std::size_t pos = 2;
  std::size_t length = 0;
  if (first < 0x80) {
    length = first;
  } else {
    std::size_t octets = first & 0x7f;
    if (octets == 0 || octets > 3 || in.size() < pos + octets) return false;
    for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | static_cast<unsigned char>(in[pos + i]);
    pos += octets;
  }
  if (in.size() - pos < length) return false;
  out.contents = in.substr(pos, length);
  in.remove_prefix(pos + length);
  return true;
}

// The element with `tag` among the elements of `in` (a SEQUENCE's contents).
inline bool find_element(std::string_view in, unsigned char tag, std::string_view& contents) {
  Element e;
  while (!in.empty()) {
    if (!read_element(in, e)) return false;
    if (e.tag == tag) {
      contents = e.contents;
      return true;
    }
  }
  return false;
}

// `in` is exactly one element with `tag`; its contents.
inline bool only_element(std::string_view in, unsigned char tag, std::string_view& contents) {
  Element e;
  if (!read_element(in, e) || e.tag != tag || !in.empty()) return false;
  contents = e.contents;
  return true;
}

}  // namespace dirmail::auth::der
