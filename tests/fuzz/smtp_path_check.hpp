#pragma once
// Invariants of a parsed MAIL FROM / RCPT TO path, shared by the SMTP fuzz targets.
#include <string>

#include "dirmail/smtp/command.hpp"
#include "fuzz_check.hpp"

namespace dirmail::fuzz {

inline bool valid_param_keyword(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

inline bool valid_param_value(std::string_view value) {
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u == 127 || c == '=') return false;
  }
  return true;
}

// The argument as a client would write it for this parsed path: "<addr> KEY=VALUE ...".
inline std::string render_path(const smtp::PathWithParams& p) {
  std::string out = "<";
  if (!p.path.null()) out += p.path.domain.empty() ? p.path.local : p.path.address();
  out += ">";
  for (const auto& [key, value] : p.params) out += " " + key + "=" + value;
  return out;
}

inline bool same_path(const smtp::PathWithParams& a, const smtp::PathWithParams& b) {
  return a.path.local == b.path.local && a.path.domain == b.path.domain && a.params == b.params;
}

// `forward`: parsed by parse_forward_path (RCPT TO) rather than parse_reverse_path.
inline void check_parsed_path(const smtp::PathWithParams& p, bool forward) {
  FUZZ_CHECK(p.path.local.size() <= smtp::max_local_part);
  FUZZ_CHECK(p.path.domain.size() <= smtp::max_domain);
  FUZZ_CHECK(p.path.null() || p.path.address().size() <= smtp::max_path);
  FUZZ_CHECK(!has_upper_ascii(p.path.domain));
  FUZZ_CHECK(p.params.size() <= smtp::max_params);
  for (const auto& [key, value] : p.params) {
    FUZZ_CHECK(valid_param_keyword(key));
    FUZZ_CHECK(valid_param_value(value));
  }
  if (forward) {
    // RCPT TO:<> is refused; <postmaster> is the one path without a domain.
    FUZZ_CHECK(!p.path.null());
    FUZZ_CHECK(!p.path.domain.empty() || p.path.local == "postmaster");
  } else {
    // A reverse path is either <> or a full mailbox.
    FUZZ_CHECK(p.path.null() || (!p.path.local.empty() && !p.path.domain.empty()));
  }
  if (!p.path.null()) FUZZ_CHECK(!p.path.local.empty());

  // Writing the parsed path back out and parsing it again gives the same path.
  std::string again = render_path(p);
  auto reparsed = forward ? smtp::parse_forward_path(again) : smtp::parse_reverse_path(again);
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(same_path(*reparsed, p));
}

inline void check_path_error(const Error& e) {
  FUZZ_CHECK(e.code == ErrorCode::invalid_argument || e.code == ErrorCode::limit_exceeded);
  FUZZ_CHECK(!e.message.empty());
}

}  // namespace dirmail::fuzz
