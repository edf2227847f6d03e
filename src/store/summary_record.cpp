#include "dirmail/store/summary_record.hpp"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "message_names.hpp"

namespace dirmail::store {
namespace {

std::uint32_t checksum(std::uint32_t uid, std::size_t length, std::string_view bytes) {
  return fnv1a32(fmt::format("{} {}\n", uid, length) + std::string(bytes));
}

template <typename T>
bool take_number(std::string_view& s, char end, T& out, int base) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  std::size_t used = static_cast<std::size_t>(p - s.data());
  if (ec != std::errc() || used == 0 || used >= s.size() || s[used] != end) return false;
  s.remove_prefix(used + 1);
  return true;
}

}  // namespace

std::string format_summary_record(std::uint32_t uid, std::string_view bytes) {
  return fmt::format("{:08x} {} {}\n", checksum(uid, bytes.size(), bytes), uid, bytes.size()) + std::string(bytes) +
         "\n";
}

std::optional<SummaryHead> parse_summary_head(std::string_view data) {
  auto newline = data.substr(0, kMaxSummaryHead).find('\n');
  if (newline == std::string_view::npos || newline < 12 || data[8] != ' ') return std::nullopt;
  std::string_view s = data.substr(0, newline + 1);
  SummaryHead head;
  head.head_size = newline + 1;
  for (std::size_t i = 0; i < 8; ++i)
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  if (!take_number(s, ' ', head.checksum, 16) || !take_number(s, ' ', head.uid, 10) ||
      !take_number(s, '\n', head.length, 10) || !s.empty() || head.uid == 0 || head.length > kMaxSummaryBytes) {
    return std::nullopt;
  }
  // Only the form format_summary_record writes: no leading zeros, lower-case hex.
  std::string canonical = fmt::format("{:08x} {} {}\n", head.checksum, head.uid, head.length);
  if (data.substr(0, head.head_size) != canonical) return std::nullopt;
  return head;
}

std::optional<std::string_view> summary_record_bytes(const SummaryHead& head, std::string_view record) {
  if (record.size() != head.record_size() || record.back() != '\n') return std::nullopt;
  std::string_view bytes = record.substr(head.head_size, head.length);
  if (checksum(head.uid, head.length, bytes) != head.checksum) return std::nullopt;
  return bytes;
}

}  // namespace dirmail::store
