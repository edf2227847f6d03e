#include "dirmail/smtp/received_template.hpp"

#include <array>

#include <fmt/format.h>

namespace dirmail::smtp {
namespace {

// Printable characters only, and a bounded length: a client's word in our header.
std::string clean(std::string_view value, std::size_t max = 255) {
  std::string out;
  for (char c : value.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) out += c;
  }
  return out;
}

}  // namespace

Result<ReceivedTemplate> ReceivedTemplate::parse(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, Part>, 8> names{{
      {"HELO", Part::helo}, {"CLIENT_IP", Part::client_ip}, {"HOST", Part::host}, {"PROTOCOL", Part::protocol},
      {"TLS", Part::tls}, {"ID", Part::id}, {"FOR", Part::for_clause}, {"DATE", Part::date}}};
  if (text.empty()) return make_error(ErrorCode::invalid_argument, "the template is empty");
  if (text.size() > max_received_template)
    return make_error(ErrorCode::invalid_argument, "the template is longer than 2000 characters");
  ReceivedTemplate t;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.parts_.emplace_back(Part::text, std::move(literal));
    literal.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      flush();
      t.parts_.emplace_back(Part::fold, "");
      while (i + 1 < text.size() && (text[i + 1] == ' ' || text[i + 1] == '\t')) ++i;  // our TAB folds
      continue;
    }
    if (c == '\r') continue;
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
      return make_error(ErrorCode::invalid_argument, "control character in the template");
    if (c != '%') {
      literal += c;
      continue;
    }
    auto end = text.find('%', i + 1);
    if (end == std::string_view::npos)
      return make_error(ErrorCode::invalid_argument, "a % without its closing %");
    std::string_view name = text.substr(i + 1, end - i - 1);
    i = end;
    if (name.empty()) {
      literal += '%';
      continue;
    }
    bool known = false;
    for (const auto& [n, part] : names) {
      if (n != name) continue;
      flush();
      t.parts_.emplace_back(part, "");
      known = true;
    }
    if (!known)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("unknown placeholder %{}% (HELO, CLIENT_IP, HOST, PROTOCOL, TLS, ID, FOR, DATE)",
                                    std::string(name.substr(0, 40))));
  }
  flush();
  return t;
}

std::string ReceivedTemplate::render(const ReceivedValues& v) const {
  std::string out = "Received: ";
  for (const auto& [part, text] : parts_) {
    switch (part) {
      case Part::text: out += text; break;
      case Part::helo: out += clean(v.helo); break;
      case Part::client_ip: out += clean(v.client_ip, 64); break;
      case Part::host: out += clean(v.host); break;
      case Part::protocol: out += clean(v.protocol, 16); break;
      case Part::tls: out += clean(v.tls, 128); break;
      case Part::id: out += clean(v.id, 64); break;
      case Part::for_clause:
        if (!v.recipient.empty()) out += "\r\n\tfor <" + clean(v.recipient, 512) + ">";
        break;
      case Part::date: out += clean(v.date, 64); break;
      case Part::fold: out += "\r\n\t"; break;
    }
  }
  out += "\r\n";
  return out;
}

}  // namespace dirmail::smtp
