#include "dirmail/imap/mailbox_name_codec.hpp"

#include <cstdint>
#include <vector>

#include "dirmail/base/strings.hpp"

namespace dirmail::imap {
namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool printable_ascii(std::uint32_t c) { return c >= 0x20 && c <= 0x7e; }

Error refused(std::string_view why) {
  return make_error(ErrorCode::invalid_argument, "mailbox name is not valid modified UTF-7: " + std::string(why));
}

// One code point of `s` from `pos` (advanced past it); nullopt-like -1 when invalid
// (truncated, overlong, a surrogate, past U+10FFFF).
std::int64_t next_code_point(std::string_view s, std::size_t& pos) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(pos);
  std::size_t length = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if (lead < 0x80) {
    ++pos;
    return lead;
  } else if ((lead & 0xe0) == 0xc0) {
    length = 2, cp = lead & 0x1f, min = 0x80;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, cp = lead & 0x0f, min = 0x800;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (s.size() - pos < length) return -1;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (byte(pos + i) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  pos += length;
  return cp;
}

void append_base64_run(std::string& out, const std::vector<std::uint16_t>& units) {
  out.push_back('&');
  std::uint32_t bits = 0;
  int count = 0;
  for (std::uint16_t unit : units) {
    bits = (bits << 16) | unit;
    count += 16;
    while (count >= 6) {
      count -= 6;
      out.push_back(alphabet[(bits >> count) & 0x3f]);
    }
    bits &= (1u << count) - 1;
  }
  if (count > 0) out.push_back(alphabet[(bits << (6 - count)) & 0x3f]);
  out.push_back('-');
}

}  // namespace

Result<std::string> decode_mailbox_name(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  bool after_run = false;  // the last thing read was a base64 run
  std::size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    if (!printable_ascii(static_cast<unsigned char>(c))) return refused("a byte outside printable ASCII");
    if (c != '&') {
      out.push_back(c);
      after_run = false;
      ++i;
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == '-') {  // "&-" is '&'
      out.push_back('&');
      after_run = false;
      i += 2;
      continue;
    }
    // Two runs in a row spell what one run would: not the canonical form.
    if (after_run) return refused("two encoded runs in a row");
    std::vector<std::uint16_t> units;
    std::uint32_t bits = 0;
    int count = 0;
    std::size_t j = i + 1;
    for (; j < in.size() && in[j] != '-'; ++j) {
      const int v = base64_value(in[j]);
      if (v < 0) return refused("a character outside modified base64");
      bits = (bits << 6) | static_cast<std::uint32_t>(v);
      count += 6;
      if (count >= 16) {
        count -= 16;
        units.push_back(static_cast<std::uint16_t>((bits >> count) & 0xffff));
        bits &= (1u << count) - 1;
      }
    }
    if (j == in.size()) return refused("an encoded run without its closing '-'");
    // The shortest encoding leaves fewer than 6 bits over, all zero.
    if (count >= 6 || bits != 0) return refused("left-over bits in an encoded run");
    if (units.empty()) return refused("an empty encoded run");
    for (std::size_t k = 0; k < units.size(); ++k) {
      std::uint32_t cp = units[k];
      if (cp >= 0xdc00 && cp <= 0xdfff) return refused("an unpaired surrogate");
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (k + 1 == units.size() || units[k + 1] < 0xdc00 || units[k + 1] > 0xdfff)
          return refused("an unpaired surrogate");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (units[k + 1] - 0xdc00u);
        ++k;
      }
      if (printable_ascii(cp)) return refused("printable ASCII in an encoded run");
      append_utf8(out, cp);
    }
    after_run = true;
    i = j + 1;
  }
  return out;
}

Result<std::string> encode_mailbox_name(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  std::vector<std::uint16_t> run;
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    const std::int64_t cp = next_code_point(utf8, pos);
    if (cp < 0) return make_error(ErrorCode::invalid_argument, "mailbox name is not valid UTF-8");
    if (printable_ascii(static_cast<std::uint32_t>(cp))) {
      if (!run.empty()) {
        append_base64_run(out, run);
        run.clear();
      }
      if (cp == '&') out.append("&-");
      else out.push_back(static_cast<char>(cp));
      continue;
    }
    if (cp >= 0x10000) {
      const auto v = static_cast<std::uint32_t>(cp - 0x10000);
      run.push_back(static_cast<std::uint16_t>(0xd800 + (v >> 10)));
      run.push_back(static_cast<std::uint16_t>(0xdc00 + (v & 0x3ff)));
    } else {
      run.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  if (!run.empty()) append_base64_run(out, run);
  return out;
}

}  // namespace dirmail::imap
