#include "utf16le.hpp"

#include <cstdint>

#include "dirmail/base/strings.hpp"

namespace dirmail::config::detail {
namespace {

std::uint16_t unit_at(std::string_view bytes, std::size_t i) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[i]) |
                                    (static_cast<unsigned char>(bytes[i + 1]) << 8));
}

void append_unit(std::string& out, std::uint32_t unit) {
  out += static_cast<char>(unit & 0xFF);
  out += static_cast<char>(unit >> 8);
}

// Calls `emit` with each code point of valid UTF-8 text.
template <typename Emit>
void for_each_code_point(std::string_view utf8, Emit emit) {
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const std::size_t extra = lead < 0x80 ? 0 : lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
    std::uint32_t cp = extra == 0 ? lead : extra == 1 ? (lead & 0x1F) : extra == 2 ? (lead & 0x0F) : (lead & 0x07);
    for (std::size_t k = 1; k <= extra && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    emit(cp);
    i += extra + 1;
  }
}

}  // namespace

std::optional<std::string> utf16le_to_utf8(std::string_view bytes, std::size_t& bad_at) {
  std::string out;
  out.reserve(bytes.size() / 2);
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    const std::uint16_t unit = unit_at(bytes, i);
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      bad_at = i;
      return std::nullopt;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const std::uint16_t low = i + 3 < bytes.size() ? unit_at(bytes, i + 2) : 0;
      if (low < 0xDC00 || low > 0xDFFF) {
        bad_at = i;
        return std::nullopt;
      }
      append_utf8(out, 0x10000 + ((static_cast<std::uint32_t>(unit - 0xD800) << 10) | (low - 0xDC00)));
      i += 2;
      continue;
    }
    append_utf8(out, unit);
  }
  return out;
}

std::string utf8_to_utf16le(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() * 2);
  for_each_code_point(utf8, [&](std::uint32_t cp) {
    if (cp < 0x10000) {
      append_unit(out, cp);
    } else {
      append_unit(out, 0xD800 + ((cp - 0x10000) >> 10));
      append_unit(out, 0xDC00 + ((cp - 0x10000) & 0x3FF));
    }
  });
  return out;
}

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for_each_code_point(utf8, [&](std::uint32_t cp) { units += cp < 0x10000 ? 1 : 2; });
  return units;
}

}  // namespace dirmail::config::detail
