#include "dirmail/queue/queue_id.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

#include <fmt/format.h>

namespace dirmail::queue {

std::string node_tag(std::string_view node_name) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (char c : node_name) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return fmt::format("{:06X}", h & 0xFFFFFFu);
}

std::string make_queue_id(std::string_view tag) {
  static std::mutex mu;
  static std::uint64_t last_us = 0;
  static std::uint16_t counter = static_cast<std::uint16_t>(std::random_device{}());
  std::uint64_t us;
  std::uint16_t count;
  {
    std::lock_guard lock(mu);
    auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count();
    us = static_cast<std::uint64_t>(now);
    if (us <= last_us) us = last_us + 1;  // the clock may step back or repeat
    last_us = us;
    count = ++counter;
  }
  return fmt::format("{:014X}{:04X}{}", us & 0xFFFFFFFFFFFFFFull, count, tag);
}

bool valid_queue_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxQueueIdBytes) return false;
  for (char c : id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!ok) return false;
  }
  return true;
}

std::optional<std::int64_t> queue_id_arrival_us(std::string_view id) {
  if (id.size() != kQueueIdBytes) return std::nullopt;
  std::int64_t us = 0;
  for (char c : id.substr(0, 14)) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (digit < 0) return std::nullopt;
    us = us * 16 + digit;
  }
  return us;
}

bool queue_id_from_node(std::string_view id, std::string_view tag) {
  return id.size() == kQueueIdBytes && id.substr(kQueueIdBytes - tag.size()) == tag;
}

}  // namespace dirmail::queue
