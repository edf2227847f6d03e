// Fuzzes the ESMTP parameters of MAIL FROM and RCPT TO (esmtp_parameters.hpp) the way
// the session meets them: "<a@b> " and the input go through parse_reverse_path, and its
// parameters through parse_mail_parameters and parse_rcpt_parameters. Byte 0 even: the
// client said EHLO, odd: HELO. Both parsers must give what a model written from the
// RFCs gives (accepted values, or the exact reply of the first refusal), and
// valid_xtext must accept every xtext encoding of the input and no lower-case hex.
#include <set>
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/smtp/command.hpp"
#include "dirmail/smtp/esmtp_parameters.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using smtp::EsmtpParams;

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

bool xchar(char c) { return c >= '!' && c <= '~' && c != '+' && c != '='; }
bool upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

// RFC 3461 §4: xtext = *( xchar / "+" 2(upper-case hex digit) ).
bool model_xtext(std::string_view s) {
  while (!s.empty()) {
    if (s[0] == '+') {
      if (s.size() < 3 || !upper_hex(s[1]) || !upper_hex(s[2])) return false;
      s.remove_prefix(3);
    } else {
      if (!xchar(s[0])) return false;
      s.remove_prefix(1);
    }
  }
  return true;
}

// Every octet outside xchar as +HH; `all`: every octet.
std::string encode_xtext(std::string_view s, bool all) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (!all && xchar(c)) {
      out += c;
    } else {
      out += '+';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// NOTIFY: "NEVER" or a list of distinct SUCCESS, FAILURE, DELAY (any case).
bool model_notify(std::string_view value) {
  std::string v = upper(value);
  if (v == "NEVER") return true;
  std::set<std::string> words;
  std::size_t start = 0;
  for (;;) {
    auto comma = v.find(',', start);
    std::string word = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (word != "SUCCESS" && word != "FAILURE" && word != "DELAY") return false;
    if (!words.insert(word).second) return false;
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

// ORCPT: addr-type (letters, digits, "-") ";" a non-empty xtext; at most 500 octets.
bool model_orcpt(std::string_view value) {
  if (value.size() > smtp::max_orcpt) return false;
  auto semi = value.find(';');
  if (semi == std::string_view::npos || semi == 0) return false;
  for (char c : value.substr(0, semi))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  auto address = value.substr(semi + 1);
  return !address.empty() && model_xtext(address);
}

// The reply the model gives to the first refused parameter ("" when all are accepted).
std::string model_reply(const EsmtpParams& params, bool esmtp, bool rcpt) {
  std::set<std::string> seen;
  for (const auto& [key, value] : params) {
    const std::string unsupported = "555 5.5.4 Unsupported option: " + key;
    const std::string bad = "501 5.5.4 Bad " + key + " parameter";
    if (!esmtp) return unsupported;
    const bool known = rcpt ? (key == "NOTIFY" || key == "ORCPT")
                            : (key == "SIZE" || key == "BODY" || key == "SMTPUTF8" || key == "RET" ||
                               key == "ENVID" || key == "AUTH");
    if (!known) return unsupported;
    if (!seen.insert(key).second) return "501 5.5.4 Duplicate " + key + " parameter";
    bool good = true;
    if (key == "SIZE") good = all_digits(value) && value.size() <= 20;
    if (key == "BODY") {
      if (upper(value) == "BINARYMIME") return "555 5.5.4 BODY=BINARYMIME is not supported";
      good = upper(value) == "7BIT" || upper(value) == "8BITMIME";
    }
    if (key == "SMTPUTF8") good = value.empty();
    if (key == "RET") good = upper(value) == "FULL" || upper(value) == "HDRS";
    if (key == "ENVID") good = !value.empty() && value.size() <= smtp::max_envid && model_xtext(value);
    if (key == "AUTH") good = value == "<>" || (!value.empty() && model_xtext(value));
    if (key == "NOTIFY") good = model_notify(value);
    if (key == "ORCPT") good = model_orcpt(value);
    if (!good) return bad;
  }
  return "";
}

const std::string* find_value(const EsmtpParams& params, std::string_view key) {
  for (const auto& [k, v] : params)
    if (k == key) return &v;
  return nullptr;
}

void check_reply(const Error& e, const std::string& want) {
  FUZZ_CHECK(e.code == ErrorCode::invalid_argument);
  FUZZ_CHECK(e.message == want);
  // The reply goes out as one line.
  FUZZ_CHECK(e.message.find_first_of("\r\n") == std::string::npos);
}

void check_mail(const EsmtpParams& params, bool esmtp) {
  auto got = smtp::parse_mail_parameters(params, esmtp);
  const std::string want = model_reply(params, esmtp, false);
  FUZZ_CHECK(got.ok() == want.empty());
  if (!got.ok()) return check_reply(got.error(), want);
  const smtp::MailParameters& m = *got;
  const std::string* size = find_value(params, "SIZE");
  FUZZ_CHECK(m.size.has_value() == (size != nullptr));
  if (size) FUZZ_CHECK(*m.size == parse_decimal(*size, 20));
  const std::string* body = find_value(params, "BODY");
  FUZZ_CHECK(m.body == (body ? upper(*body) : ""));
  FUZZ_CHECK(m.body.empty() || m.body == "7BIT" || m.body == "8BITMIME");
  FUZZ_CHECK(m.smtputf8 == (find_value(params, "SMTPUTF8") != nullptr));
  const std::string* ret = find_value(params, "RET");
  FUZZ_CHECK(m.ret == (ret ? upper(*ret) : ""));
  const std::string* envid = find_value(params, "ENVID");
  FUZZ_CHECK(m.envid == (envid ? *envid : ""));
  FUZZ_CHECK(m.envid.size() <= smtp::max_envid && model_xtext(m.envid));
}

void check_rcpt(const EsmtpParams& params, bool esmtp) {
  auto got = smtp::parse_rcpt_parameters(params, esmtp);
  const std::string want = model_reply(params, esmtp, true);
  FUZZ_CHECK(got.ok() == want.empty());
  if (!got.ok()) return check_reply(got.error(), want);
  const std::string* notify = find_value(params, "NOTIFY");
  FUZZ_CHECK(got->notify == (notify ? upper(*notify) : ""));
  FUZZ_CHECK(got->notify.empty() || model_notify(got->notify));
  const std::string* orcpt = find_value(params, "ORCPT");
  FUZZ_CHECK(got->orcpt == (orcpt ? *orcpt : ""));
  FUZZ_CHECK(got->orcpt.size() <= smtp::max_orcpt);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const bool esmtp = (fuzz::take_byte(input) & 1) == 0;

  // The input as an xtext itself, and its encodings.
  FUZZ_CHECK(smtp::valid_xtext(input) == model_xtext(input));
  FUZZ_CHECK(smtp::valid_xtext(encode_xtext(input, false)));
  FUZZ_CHECK(smtp::valid_xtext(encode_xtext(input, true)));
  std::string lower_hex = encode_xtext(input, true);
  for (char& c : lower_hex)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  FUZZ_CHECK(smtp::valid_xtext(lower_hex) == (lower_hex.find_first_of("abcdef") == std::string::npos));

  auto path = smtp::parse_reverse_path("<a@b> " + std::string(input));
  if (!path) return 0;
  check_mail(path->params, esmtp);
  check_rcpt(path->params, esmtp);
  return 0;
}
