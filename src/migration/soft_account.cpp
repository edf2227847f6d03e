#include "dirmail/migration/soft_account.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::migration {
namespace {

constexpr std::size_t max_quoted_bytes = 64;

// A name for a message: control characters escaped, long names cut.
std::string quoted(std::string_view s) {
  std::size_t cut = std::min(s.size(), max_quoted_bytes);
  while (cut < s.size() && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole characters
  return fmt::format("\"{}\"{}", escape_control(s.substr(0, cut)), cut < s.size() ? "..." : "");
}

bool has_control(std::string_view s) {
  for (char c : s) {
    auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) return true;
  }
  return false;
}

// Size, UTF-8 and control characters: the checks every text field shares.
std::optional<FieldProblem> check_text(std::string_view value, std::size_t field, std::size_t max_bytes) {
  if (value.size() > max_bytes) {
    return FieldProblem{FieldProblem::Kind::field_too_long, field,
                        fmt::format("{} is {} bytes long; the limit is {}", field_label(field), value.size(), max_bytes)};
  }
  if (!valid_utf8(value)) {
    return FieldProblem{FieldProblem::Kind::invalid_utf8, field, fmt::format("{} is not valid UTF-8", field_label(field))};
  }
  if (has_control(value)) {
    return FieldProblem{FieldProblem::Kind::control_character, field,
                        fmt::format("{} has a control character", field_label(field))};
  }
  return std::nullopt;
}

// The account is the original's mailbox folder name (inbox\<account>), so a real
// export holds only names a Windows folder can have; anything else is damage, and
// would be unsafe as a path component when mailboxes are copied.
std::optional<FieldProblem> check_account(std::string_view account) {
  if (account.empty()) return FieldProblem{FieldProblem::Kind::empty_account, 0, "the account name is empty"};
  if (auto p = check_text(account, 0, max_account_bytes)) return p;
  auto invalid = [&](std::string why) {
    return FieldProblem{FieldProblem::Kind::invalid_account, 0, fmt::format("account {} {}", quoted(account), why)};
  };
  if (auto pos = account.find_first_of("\\/:*?\"<>|"); pos != std::string_view::npos) {
    return invalid(fmt::format("has '{}', which a Windows folder name cannot have", account[pos]));
  }
  if (account == "." || account == "..") return invalid("is not a folder name");
  if (account.starts_with("\xEF\xBB\xBF")) return invalid("starts with an invisible byte order mark (U+FEFF)");
  if (account.front() == ' ' || account.back() == ' ' || account.back() == '.') {
    return invalid("starts or ends with a space or ends with '.', which Windows folder names cannot");
  }
  return std::nullopt;
}

// Blank, or a domain name: dot-separated labels without white space, '@' or slashes.
// Labels are not held to the DNS letters (the target checks what it can serve).
std::optional<FieldProblem> check_domain(std::string_view domain) {
  if (domain.empty()) return std::nullopt;
  if (auto p = check_text(domain, 3, max_domain_bytes)) return p;
  auto invalid = [&](std::string why) {
    return FieldProblem{FieldProblem::Kind::invalid_domain, 3, fmt::format("domain {} {}", quoted(domain), why)};
  };
  if (auto pos = domain.find_first_of(" @/\\"); pos != std::string_view::npos) {
    return invalid(fmt::format("has '{}'", domain[pos]));
  }
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return invalid("has an empty label");
  }
  return std::nullopt;
}

}  // namespace

std::string field_label(std::size_t field) {
  return fmt::format("field {} ({})", field + 1, soft_account_field_names[field]);
}

std::optional<FieldProblem> check_soft_account(const SoftAccount& a) {
  if (auto p = check_account(a.account)) return p;
  if (auto p = check_text(a.password, 1, max_password_bytes)) return p;
  if (auto p = check_text(a.full_name, 2, max_full_name_bytes)) return p;
  if (auto p = check_domain(a.domain)) return p;
  if (auto p = check_text(a.home_folder, 4, max_home_folder_bytes)) return p;
  if (a.mailbox_limit > max_mailbox_limit) {
    return FieldProblem{FieldProblem::Kind::invalid_limit, 7,
                        fmt::format("the mailbox size limit {} is larger than {}", a.mailbox_limit, max_mailbox_limit)};
  }
  return std::nullopt;
}

std::optional<FieldProblem> soft_account_from_fields(
    const std::array<std::string, soft_account_field_count>& fields, SoftAccount& out) {
  out.account = fields[0];
  out.password = fields[1];
  out.full_name = fields[2];
  out.domain = fields[3];
  out.home_folder = fields[4];
  out.mailbox_limit = 0;
  if (auto p = check_soft_account(out)) return p;  // the names first: they say which account it is
  for (std::size_t field : {std::size_t{5}, std::size_t{6}}) {
    auto flag = parse_flag(fields[field]);
    if (!flag) {
      return FieldProblem{FieldProblem::Kind::invalid_flag, field,
                          fmt::format("{} is {}; it must be 0 or 1", field_label(field), quoted(fields[field]))};
    }
    (field == 5 ? out.smtp_auth : out.apop) = *flag;
  }
  auto limit = parse_mailbox_limit(fields[7]);
  if (!limit) {
    return FieldProblem{FieldProblem::Kind::invalid_limit, 7,
                        fmt::format("{} is {}; it must be a number of bytes up to {} (0: no limit)", field_label(7),
                                    quoted(fields[7]), max_mailbox_limit)};
  }
  out.mailbox_limit = *limit;
  return std::nullopt;
}

std::optional<bool> parse_flag(std::string_view text) {
  if (text.empty() || text == "0") return false;
  if (text == "1") return true;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_mailbox_limit(std::string_view text) {
  if (text.empty()) return 0;
  auto value = parse_decimal(text, max_limit_digits);
  if (!value || *value > max_mailbox_limit) return std::nullopt;
  return value;
}

std::string account_key(std::string_view account) { return to_lower(account); }

std::string domain_key(std::string_view domain) { return to_lower(domain); }

std::string_view to_string(FieldProblem::Kind kind) {
  switch (kind) {
    case FieldProblem::Kind::empty_account: return "empty_account";
    case FieldProblem::Kind::invalid_account: return "invalid_account";
    case FieldProblem::Kind::invalid_domain: return "invalid_domain";
    case FieldProblem::Kind::field_too_long: return "field_too_long";
    case FieldProblem::Kind::control_character: return "control_character";
    case FieldProblem::Kind::invalid_utf8: return "invalid_utf8";
    case FieldProblem::Kind::invalid_flag: return "invalid_flag";
    case FieldProblem::Kind::invalid_limit: return "invalid_limit";
  }
  return "unknown";
}

}  // namespace dirmail::migration
