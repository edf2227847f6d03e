#include "dirmail/delivery/peer_capabilities.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>


namespace dirmail::delivery {
namespace {

constexpr std::size_t max_mechanisms = 32;
constexpr std::size_t max_mechanism_length = 40;  // SASL names are at most 20 (RFC 4422 §3.1)

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

void add_mechanisms(PeerCapabilities& caps, const std::vector<std::string_view>& list, std::size_t from) {
  for (std::size_t i = from; i < list.size(); ++i) {
    if (caps.auth_mechanisms.size() >= max_mechanisms) return;
    if (list[i].empty() || list[i].size() > max_mechanism_length) continue;
    std::string mech = upper(list[i]);
    if (std::find(caps.auth_mechanisms.begin(), caps.auth_mechanisms.end(), mech) == caps.auth_mechanisms.end())
      caps.auth_mechanisms.push_back(std::move(mech));
  }
}

}  // namespace

bool PeerCapabilities::offers_auth(std::string_view mechanism) const {
  return std::find(auth_mechanisms.begin(), auth_mechanisms.end(), upper(mechanism)) != auth_mechanisms.end();
}

PeerCapabilities parse_ehlo_reply(const SmtpReply& reply) {
  PeerCapabilities caps;
  caps.esmtp = true;
  for (std::size_t n = 1; n < reply.lines.size(); ++n) {
    auto list = words(reply.lines[n]);
    if (list.empty()) continue;
    std::string keyword = upper(list[0]);
    if (keyword == "SIZE") {
      caps.size = true;
      std::uint64_t limit = 0;
      if (list.size() > 1) {
        auto [end, ec] = std::from_chars(list[1].data(), list[1].data() + list[1].size(), limit);
        if (ec != std::errc() || end != list[1].data() + list[1].size()) limit = 0;  // unreadable: no limit known
      }
      caps.size_limit = limit;
    } else if (keyword == "PIPELINING") {
      caps.pipelining = true;
    } else if (keyword == "8BITMIME") {
      caps.eight_bit_mime = true;
    } else if (keyword == "SMTPUTF8") {
      caps.smtputf8 = true;
    } else if (keyword == "DSN") {
      caps.dsn = true;
    } else if (keyword == "STARTTLS") {
      caps.starttls = true;
    } else if (keyword == "CHUNKING") {
      caps.chunking = true;
    } else if (keyword == "ENHANCEDSTATUSCODES") {
      caps.enhanced_status_codes = true;
    } else if (keyword == "AUTH") {
      add_mechanisms(caps, list, 1);
    } else if (keyword.starts_with("AUTH=")) {  // the pre-standard form some servers still send
      add_mechanisms(caps, {list[0].substr(5)}, 0);
      add_mechanisms(caps, list, 1);
    }
  }
  return caps;
}

}  // namespace dirmail::delivery
