#include "dirmail/base/charset_conversion.hpp"

#include <iconv.h>

#include <cerrno>

#include "dirmail/base/strings.hpp"

namespace dirmail {
namespace {

constexpr std::size_t max_charset_name = 40;
constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// UTF-8 with every invalid sequence replaced.
std::string repaired_utf8(std::string_view bytes) {
  if (valid_utf8(bytes)) return std::string(bytes);
  std::string out;
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t len = 1;
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0xF0) len = 4;
    else if (c >= 0xE0) len = 3;
    else if (c >= 0xC0) len = 2;
    if (c < 0x80 || (i + len <= bytes.size() && valid_utf8(bytes.substr(i, len)))) {
      out.append(bytes.substr(i, len));
      i += len;
    } else {
      out.append(replacement);
      ++i;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset) {
  if (charset.empty() || charset.size() > max_charset_name) return std::nullopt;
  if (iequals(charset, "UTF-8") || iequals(charset, "UTF8") || iequals(charset, "US-ASCII")) {
    return repaired_utf8(bytes);
  }
  // Mailers say Shift_JIS and mean Microsoft's superset of it.
  std::string name = iequals(charset, "Shift_JIS") || iequals(charset, "SJIS") ? "CP932" : std::string(charset);
  iconv_t cd = ::iconv_open("UTF-8", name.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(bytes.size() * 3 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* o = out.data();
  std::size_t out_left = out.size();
  while (in_left > 0) {
    if (::iconv(cd, &in, &in_left, &o, &out_left) != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG || out_left < replacement.size()) break;
    // An invalid or cut-short sequence: U+FFFD, and go on after its first byte.
    for (char r : replacement) *o++ = r;
    out_left -= replacement.size();
    ++in;
    --in_left;
  }
  ::iconv(cd, nullptr, nullptr, &o, &out_left);
  ::iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

std::optional<std::string> convert_from_utf8(std::string_view utf8, std::string_view charset) {
  if (charset.empty() || charset.size() > max_charset_name || !valid_utf8(utf8)) return std::nullopt;
  if (iequals(charset, "UTF-8") || iequals(charset, "UTF8")) return std::string(utf8);
  if (iequals(charset, "US-ASCII")) return is_ascii(utf8) ? std::optional<std::string>(utf8) : std::nullopt;
  std::string name = iequals(charset, "Shift_JIS") || iequals(charset, "SJIS") ? "CP932" : std::string(charset);
  iconv_t cd = ::iconv_open(name.c_str(), "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  // 4 output bytes per input byte covers every charset iconv writes text in (UTF-16/32
  // with a BOM included).
  std::string out(utf8.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* o = out.data();
  std::size_t out_left = out.size();
  bool ok = ::iconv(cd, &in, &in_left, &o, &out_left) != static_cast<std::size_t>(-1) &&
            ::iconv(cd, nullptr, nullptr, &o, &out_left) != static_cast<std::size_t>(-1);
  ::iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(out.size() - out_left);
  return out;
}

}  // namespace dirmail
