#include "message_names.hpp"

#include <sys/time.h>
#include <unistd.h>

#include <atomic>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::store {

bool valid_user_file_name(std::string_view name) {
  static constexpr std::string_view names[] = {"IMS.CTL", "AUTORPLY.TXT", "NOREPLY.TXT", "REPLIED.TXT",
                                               "PERMITFROM.TXT", "AUTOREPLY.LOG"};
  for (auto n : names)
    if (iequals(n, name)) return true;
  return false;
}

bool valid_uidl(std::string_view uidl) {
  if (uidl.empty() || uidl.size() > kMaxUidlBytes) return false;
  for (char c : uidl)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

bool valid_message_file_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxMessageFileNameBytes || name.front() == '.') return false;
  for (char c : name)
    if (c < 0x21 || c > 0x7e || c == '/') return false;
  return true;
}

std::string file_name_host(std::string_view host_name) {
  std::string out;
  for (char c : host_name) {
    if (out.size() == 32) break;
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    out += keep ? c : '_';
  }
  if (out.empty()) out = "localhost";
  return out;
}

std::string make_message_file_name(std::string_view host) {
  static std::atomic<std::uint64_t> counter{0};
  struct timeval tv;
  ::gettimeofday(&tv, nullptr);
  return fmt::format("{}.M{}P{}Q{}.{}", static_cast<long long>(tv.tv_sec), static_cast<long>(tv.tv_usec),
                     static_cast<long>(::getpid()), counter.fetch_add(1) + 1, host);
}

std::string uidl_from_file_name(std::string_view name) {
  std::string_view base = name.substr(0, name.find(':'));
  if (valid_uidl(base)) return std::string(base);
  return fmt::format("X{:016x}", fnv1a64(name));
}

}  // namespace dirmail::store
