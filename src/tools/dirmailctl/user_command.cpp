// dirmailctl user add|del|passwd|enable|disable|list|show: soft accounts of the local
// directory. Passwords come from --password, or one line of standard input (so that
// scripts need not put them on a command line, where `ps` shows them).
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "command_words.hpp"
#include "commands.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/directory/local_directory.hpp"
#include "dirmail/directory/password_hash.hpp"

namespace dirmail::ctl {
namespace {

constexpr const char* user_usage =
    "usage: dirmailctl user add LOGIN@DOMAIN [--password P | --password-stdin] [--name \"Full Name\"]\n"
    "                           [--home PATH] [--limit BYTES[K|M|G]] [--smtp-auth]\n"
    "       dirmailctl user del LOGIN\n"
    "       dirmailctl user passwd LOGIN [--password P | --password-stdin]\n"
    "       dirmailctl user enable LOGIN\n"
    "       dirmailctl user disable LOGIN\n"
    "       dirmailctl user list [DOMAIN]\n"
    "       dirmailctl user show LOGIN\n"
    "LOGIN is NAME or NAME@DOMAIN. Without a password option the password is read from\n"
    "one line of standard input.\n";

int usage(std::ostream& err, std::string_view problem) {
  if (!problem.empty()) err << "dirmailctl: " << problem << "\n";
  err << user_usage;
  return 2;
}

int failed(std::ostream& err, const Error& error) {
  err << "dirmailctl: " << error.message << "\n";
  return 1;
}

// "1048576", "500K", "100M", "2G" (binary multiples).
std::optional<std::uint64_t> parse_bytes(std::string_view text) {
  std::uint64_t multiplier = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K': case 'k': multiplier = 1ull << 10; break;
      case 'M': case 'm': multiplier = 1ull << 20; break;
      case 'G': case 'g': multiplier = 1ull << 30; break;
      default: break;
    }
    if (multiplier != 1) text.remove_suffix(1);
  }
  std::uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value > UINT64_MAX / multiplier) return std::nullopt;
  return value * multiplier;
}

int add_user(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  auto words = parse_words(args, {"--password", "--name", "--home", "--limit"}, {"--password-stdin", "--smtp-auth"});
  if (!words) return usage(err, words.error().message);
  if (words->positional.size() != 1) return usage(err, "user add takes one LOGIN@DOMAIN");
  const std::string& address = words->positional[0];
  auto at = address.rfind('@');
  if (at == std::string::npos) return usage(err, "user add needs LOGIN@DOMAIN, not '" + address + "'");

  directory::UserSpec spec;
  spec.name = address.substr(0, at);
  spec.domain = address.substr(at + 1);
  if (auto it = words->values.find("--name"); it != words->values.end()) spec.display_name = it->second;
  if (auto it = words->values.find("--home"); it != words->values.end()) spec.home = it->second;
  if (auto it = words->values.find("--limit"); it != words->values.end()) {
    auto bytes = parse_bytes(it->second);
    if (!bytes) return usage(err, "--limit needs a size in bytes (K, M, G allowed), not '" + it->second + "'");
    spec.mailbox_limit = *bytes;
  }
  spec.require_smtp_auth = words->flags.contains("--smtp-auth");
  auto password = password_from(*words, err);
  if (!password) return failed(err, password.error());
  spec.password = std::move(*password);

  auto done = dir.add_user(spec);
  if (!done) {
    if (done.error().code == ErrorCode::not_found) {
      err << "dirmailctl: " << done.error().message << "; add it first with `dirmailctl domain add "
          << spec.domain << "`\n";
      return 1;
    }
    return failed(err, done.error());
  }
  out << "added user " << to_lower(address) << "\n";
  return 0;
}

// Verbs that take exactly one LOGIN and nothing else.
Result<std::string> single_login(const Args& args) {
  if (args.size() != 2 || args[1].starts_with("--"))
    return make_error(ErrorCode::invalid_argument, "user " + args[0] + " takes one LOGIN");
  return args[1];
}

int remove_user(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  auto login = single_login(args);
  if (!login) return usage(err, login.error().message);
  auto user = dir.get_user(*login);
  if (!user) return failed(err, user.error());
  auto done = dir.remove_user(user->account.address());
  if (!done) return failed(err, done.error());
  out << "removed user " << user->account.address() << "\n";
  return 0;
}

int change_password(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  auto words = parse_words(args, {"--password"}, {"--password-stdin"});
  if (!words) return usage(err, words.error().message);
  if (words->positional.size() != 1) return usage(err, "user passwd takes one LOGIN");
  // Look the user up first, so a typo is reported before anyone types a password.
  auto user = dir.get_user(words->positional[0]);
  if (!user) return failed(err, user.error());
  auto password = password_from(*words, err);
  if (!password) return failed(err, password.error());
  auto done = dir.set_password(user->account.address(), *password);
  if (!done) return failed(err, done.error());
  out << "changed password of " << user->account.address() << "\n";
  return 0;
}

int set_enabled(directory::LocalDirectory& dir, const Args& args, bool enabled, std::ostream& out,
                std::ostream& err) {
  auto login = single_login(args);
  if (!login) return usage(err, login.error().message);
  auto user = dir.get_user(*login);
  if (!user) return failed(err, user.error());
  auto done = dir.set_enabled(user->account.address(), enabled);
  if (!done) return failed(err, done.error());
  out << (enabled ? "enabled " : "disabled ") << user->account.address() << "\n";
  return 0;
}

std::string_view state_name(const directory::LocalUser& user) { return user.enabled ? "enabled" : "disabled"; }

int list_users(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.size() > 2) return usage(err, "user list takes at most one DOMAIN");
  std::optional<std::string_view> domain;
  if (args.size() == 2) domain = args[1];
  auto users = dir.list_users(domain);
  if (!users) return failed(err, users.error());
  std::size_t width = 0;
  for (const auto& user : *users) width = std::max(width, user.account.address().size());
  for (const auto& user : *users) {
    std::string address = user.account.address();
    out << address << std::string(width - address.size() + 2, ' ');
    if (user.account.display_name.empty()) {
      out << state_name(user) << "\n";
    } else {
      std::string_view state = state_name(user);
      out << state << std::string(std::string_view("disabled").size() - state.size() + 2, ' ')
          << user.account.display_name << "\n";
    }
  }
  return 0;
}

std::string utc_time(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (::gmtime_r(&t, &tm) == nullptr) return std::to_string(seconds);
  char text[32];
  std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(text, n);
}

int show_user(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  auto login = single_login(args);
  if (!login) return usage(err, login.error().message);
  auto user = dir.get_user(*login);
  if (!user) return failed(err, user.error());
  const directory::Account& account = user->account;
  std::string limit = account.mailbox_limit == 0 ? "0 (unlimited)" : std::to_string(account.mailbox_limit);
  out << "address:           " << account.address() << "\n"
      << "name:              " << account.name << "\n"
      << "domain:            " << account.domain << "\n"
      << "display_name:      " << account.display_name << "\n"
      << "home:              " << account.home << "\n"
      << "mailbox_limit:     " << limit << "\n"
      << "state:             " << state_name(*user) << "\n"
      << "require_smtp_auth: " << (account.require_smtp_auth ? "yes" : "no") << "\n"
      << "created_at:        " << utc_time(user->created_at) << "\n";
  return 0;
}

}  // namespace

int user_command(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage(err, "");
  const std::string& verb = args[0];
  if (verb == "add") return add_user(dir, args, out, err);
  if (verb == "del" || verb == "remove") return remove_user(dir, args, out, err);
  if (verb == "passwd") return change_password(dir, args, out, err);
  if (verb == "enable") return set_enabled(dir, args, true, out, err);
  if (verb == "disable") return set_enabled(dir, args, false, out, err);
  if (verb == "list") return list_users(dir, args, out, err);
  if (verb == "show") return show_user(dir, args, out, err);
  return usage(err, "unknown user command '" + verb + "'");
}

}  // namespace dirmail::ctl
