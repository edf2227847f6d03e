#include "dirmail/directory/gpo_security_filter.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace dirmail::directory {
namespace {

constexpr std::uint8_t kAccessAllowed = 0x00;
constexpr std::uint8_t kAccessDenied = 0x01;
constexpr std::uint8_t kAccessAllowedObject = 0x05;
constexpr std::uint8_t kAccessDeniedObject = 0x06;
constexpr std::uint8_t kInheritOnly = 0x08;
constexpr std::uint32_t kObjectTypePresent = 0x1;
constexpr std::uint32_t kInheritedObjectTypePresent = 0x2;

constexpr std::uint32_t kReadProperty = 0x10;
constexpr std::uint32_t kControlAccess = 0x100;
constexpr std::uint32_t kGenericAll = 0x10000000;
constexpr std::uint32_t kGenericRead = 0x80000000;
constexpr std::uint16_t kDaclPresent = 0x0004;

// edacfd8f-ffb3-11d1-b41d-00a0c968f939 as a GUID is stored (first three fields little-endian).
constexpr unsigned char kApplyGroupPolicy[16] = {0x8f, 0xfd, 0xac, 0xed, 0xb3, 0xff, 0xd1, 0x11,
                                                 0xb4, 0x1d, 0x00, 0xa0, 0xc9, 0x68, 0xf9, 0x39};

std::uint32_t u16(std::string_view s, std::size_t at) {
  return static_cast<unsigned char>(s[at]) | static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8;
}
std::uint32_t u32(std::string_view s, std::size_t at) { return u16(s, at) | u16(s, at + 2) << 16; }

// The length of the SID at the start of `s`, or nullopt when it is cut short.
std::optional<std::size_t> sid_length(std::string_view s) {
  if (s.size() < 8) return std::nullopt;
  const std::size_t length = 8 + 4 * static_cast<unsigned char>(s[1]);
  if (s.size() < length) return std::nullopt;
  return length;
}

enum class Right { read, apply };

struct Decision {
  std::optional<bool> read, apply;
};

std::string sid(std::initializer_list<unsigned char> bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace

std::string everyone_sid() { return sid({1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}); }
std::string authenticated_users_sid() { return sid({1, 1, 0, 0, 0, 0, 0, 5, 11, 0, 0, 0}); }

std::string sid_text(std::string_view s) {
  const auto length = sid_length(s);
  if (!length) return "(malformed SID)";
  std::uint64_t authority = 0;
  for (std::size_t i = 2; i < 8; ++i) authority = authority << 8 | static_cast<unsigned char>(s[i]);
  std::string out = "S-" + std::to_string(static_cast<unsigned char>(s[0])) + "-" + std::to_string(authority);
  for (std::size_t i = 8; i < *length; i += 4) out += "-" + std::to_string(u32(s, i));
  return out;
}

Result<bool> may_apply_gpo(std::string_view sd, std::span<const std::string> token) {
  auto malformed = [](std::string what) {
    return make_error(ErrorCode::invalid_argument, "malformed security descriptor: " + what);
  };
  if (sd.size() < 20 || sd[0] != 1) return malformed("no self-relative header");
  const std::uint32_t control = u16(sd, 2);
  const std::uint32_t dacl_offset = u32(sd, 16);
  // No DACL at all grants everything; an empty one grants nothing.
  if ((control & kDaclPresent) == 0 || dacl_offset == 0) return true;
  if (dacl_offset > sd.size() - 8) return malformed("DACL offset past the end");
  const std::string_view acl = sd.substr(dacl_offset);
  const std::size_t acl_size = u16(acl, 2);
  const std::size_t ace_count = u16(acl, 4);
  if (acl_size < 8 || acl_size > acl.size()) return malformed("DACL size");
  std::size_t at = 8;
  Decision decision;
  for (std::size_t i = 0; i < ace_count && !(decision.read && decision.apply); ++i) {
    if (at + 8 > acl_size) return malformed("ACE " + std::to_string(i) + " past the DACL");
    const auto type = static_cast<std::uint8_t>(acl[at]);
    const auto flags = static_cast<std::uint8_t>(acl[at + 1]);
    const std::size_t size = u16(acl, at + 2);
    if (size < 8 || at + size > acl_size) return malformed("ACE " + std::to_string(i) + " size");
    const std::string_view ace = acl.substr(at, size);
    at += size;
    const bool object = type == kAccessAllowedObject || type == kAccessDeniedObject;
    if ((type != kAccessAllowed && type != kAccessDenied && !object) || (flags & kInheritOnly) != 0) continue;
    const std::uint32_t mask = u32(ace, 4);
    std::size_t sid_at = 8;
    std::string_view object_type;
    if (object) {
      if (ace.size() < 12) return malformed("object ACE " + std::to_string(i));
      const std::uint32_t object_flags = u32(ace, 8);
      sid_at = 12;
      if (object_flags & kObjectTypePresent) {
        if (ace.size() < sid_at + 16) return malformed("object ACE " + std::to_string(i));
        object_type = ace.substr(sid_at, 16);
        sid_at += 16;
      }
      if (object_flags & kInheritedObjectTypePresent) sid_at += 16;
    }
    if (sid_at > ace.size()) return malformed("ACE " + std::to_string(i) + " SID");
    const std::string_view ace_sid = ace.substr(sid_at);
    const auto length = sid_length(ace_sid);
    if (!length) return malformed("ACE " + std::to_string(i) + " SID");
    const std::string_view trustee = ace_sid.substr(0, *length);
    if (std::none_of(token.begin(), token.end(), [&](const std::string& s) { return s == trustee; })) continue;

    const bool allow = type == kAccessAllowed || type == kAccessAllowedObject;
    const bool is_apply_type =
        object_type.empty() ||
        std::equal(object_type.begin(), object_type.end(), reinterpret_cast<const char*>(kApplyGroupPolicy));
    if (!decision.apply && is_apply_type && (mask & (kControlAccess | kGenericAll)) != 0) decision.apply = allow;
    if (!decision.read && object_type.empty() && (mask & (kReadProperty | kGenericRead | kGenericAll)) != 0)
      decision.read = allow;
  }
  return decision.read.value_or(false) && decision.apply.value_or(false);
}

}  // namespace dirmail::directory
