#include "dirmail/smtp/esmtp_parameters.hpp"

#include <set>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::smtp {
namespace {

Error refuse(std::string reply) { return make_error(ErrorCode::invalid_argument, std::move(reply)); }
Error bad(std::string_view key) { return refuse(fmt::format("501 5.5.4 Bad {} parameter", key)); }
Error unsupported(std::string_view key) { return refuse(fmt::format("555 5.5.4 Unsupported option: {}", key)); }

bool is_hex_upper(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Each key at most once (RFC 5321 §4.1.2 leaves repeats undefined; we refuse them).
Status once(std::set<std::string>& seen, const std::string& key) {
  if (!seen.insert(key).second) return refuse(fmt::format("501 5.5.4 Duplicate {} parameter", key));
  return ok_status();
}

bool valid_notify(std::string_view value, std::string& normalised) {
  std::string v = upper(value);
  if (v == "NEVER") {
    normalised = v;
    return true;
  }
  std::set<std::string_view> seen;
  for (auto word : split(v, ',')) {
    if (word != "SUCCESS" && word != "FAILURE" && word != "DELAY") return false;
    if (!seen.insert(word).second) return false;
  }
  normalised = v;
  return !seen.empty();
}

bool valid_orcpt(std::string_view value) {
  if (value.size() > max_orcpt) return false;
  auto semi = value.find(';');
  if (semi == std::string_view::npos || semi == 0 || semi + 1 == value.size()) return false;
  for (char c : value.substr(0, semi))  // addr-type is an atom ("rfc822", "utf-8")
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  return valid_xtext(value.substr(semi + 1));
}

}  // namespace

bool valid_xtext(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '+') {
      if (i + 2 >= text.size()) return false;
      if (!is_hex_upper(text[i + 1]) || !is_hex_upper(text[i + 2])) return false;
      i += 2;
    } else if (c < 33 || c > 126 || c == '=') {
      return false;
    }
  }
  return true;
}

Result<MailParameters> parse_mail_parameters(const EsmtpParams& params, bool esmtp) {
  MailParameters m;
  std::set<std::string> seen;
  for (const auto& [key, value] : params) {
    if (!esmtp) return unsupported(key);
    if (key == "SIZE") {
      DIRMAIL_TRY(once(seen, key));
      auto size = parse_decimal(value, 20);
      if (!size) return bad(key);
      m.size = *size;
    } else if (key == "BODY") {
      DIRMAIL_TRY(once(seen, key));
      std::string v = upper(value);
      if (v == "BINARYMIME") return refuse("555 5.5.4 BODY=BINARYMIME is not supported");
      if (v != "7BIT" && v != "8BITMIME") return bad(key);
      m.body = v;
    } else if (key == "SMTPUTF8") {
      DIRMAIL_TRY(once(seen, key));
      if (!value.empty()) return bad(key);
      m.smtputf8 = true;
    } else if (key == "RET") {
      DIRMAIL_TRY(once(seen, key));
      std::string v = upper(value);
      if (v != "FULL" && v != "HDRS") return bad(key);
      m.ret = v;
    } else if (key == "ENVID") {
      DIRMAIL_TRY(once(seen, key));
      if (value.empty() || value.size() > max_envid || !valid_xtext(value)) return bad(key);
      m.envid = value;
    } else if (key == "AUTH") {
      // RFC 4954 §5: the original submitter, for trusted relays; we record nothing.
      DIRMAIL_TRY(once(seen, key));
      if (value != "<>" && (value.empty() || !valid_xtext(value))) return bad(key);
    } else {
      return unsupported(key);
    }
  }
  return m;
}

Result<RcptParameters> parse_rcpt_parameters(const EsmtpParams& params, bool esmtp) {
  RcptParameters r;
  std::set<std::string> seen;
  for (const auto& [key, value] : params) {
    if (!esmtp) return unsupported(key);
    if (key == "NOTIFY") {
      DIRMAIL_TRY(once(seen, key));
      if (!valid_notify(value, r.notify)) return bad(key);
    } else if (key == "ORCPT") {
      DIRMAIL_TRY(once(seen, key));
      if (!valid_orcpt(value)) return bad(key);
      r.orcpt = value;
    } else {
      return unsupported(key);
    }
  }
  return r;
}

}  // namespace dirmail::smtp
