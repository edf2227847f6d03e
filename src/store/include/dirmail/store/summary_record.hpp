#pragma once
// Records of a folder's summary file ("dirmail.summary"): opaque bytes per message.
//
//   "<checksum> <uid> <length>\n" <length bytes> "\n"
//
// checksum: 8 hex digits of FNV-1a over "<uid> <length>\n" and the bytes. A reader
// parses the head line first (it says how much to read), then checks the whole record.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dirmail::store {

inline constexpr std::size_t kMaxSummaryBytes = 1024 * 1024;
inline constexpr std::size_t kMaxSummaryHead = 40;  // "<8 hex> <uid> <length>\n" fits

struct SummaryHead {
  std::uint32_t checksum = 0;
  std::uint32_t uid = 0;       // never 0
  std::uint32_t length = 0;    // at most kMaxSummaryBytes
  std::size_t head_size = 0;   // bytes of the head line, newline included
  std::size_t record_size() const { return head_size + length + 1; }
};

std::string format_summary_record(std::uint32_t uid, std::string_view bytes);

// The head line at the start of `data` (which may hold more); nullopt when it is not
// one this version writes.
std::optional<SummaryHead> parse_summary_head(std::string_view data);

// The record's bytes when `record` (record_size() bytes from the head on) ends with its
// newline and its checksum matches; nullopt otherwise.
std::optional<std::string_view> summary_record_bytes(const SummaryHead& head, std::string_view record);

}  // namespace dirmail::store
