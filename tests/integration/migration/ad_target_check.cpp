// Drives dirmail::migration's Active Directory target (open_ad_account_target) from
// the command line for test_ad_target.py: options describe the target, then steps run
// on it in order. Every result is one JSON object on a line of its own:
//   {"step":"open","ok":true} | {"step":"open","ok":false,"code":"not found","message":"..."}
//   {"step":"find","found":false} | {"step":"find","found":true,"account":...,"display_name":...,
//       "home_folder":...,"domains":[...],"mail_user":true,"imported":true,"mailbox_limit":0,"enabled":true}
//   {"step":"has-domain","exists":true}
//   {"step":"create-domain","ok":true} | {"step":"create-domain","ok":false,"code":...,"message":...}
//   {"step":"create","ok":true} | {"step":"create","ok":false,"kind":"password policy","message":...}
//   {"step":"complete",...as create}   (the account is looked up with find first)
//   {"step":"check-row","ok":true} | {"step":"check-row","ok":false,"kind":"refused","message":...}
//   {"step":"check-password","objection":null|"..."}
//   {"step":"list","rows":[{"account":...,"password":...,"full_name":...,"domain":...,
//       "home_folder":...,"smtp_auth":false,"apop":false,"mailbox_limit":0},...]}
//   {"step":"describe","description":"...","one_namespace":true}
//   any step: {"step":S,"ok":false,"code":...,"message":...} when the target could not answer.
// Usage: ad_target_check --uri URI [--start-tls] [--ca-file F] --bind-dn DN --password-file F
//          --base-dn DN [--user-container DN] [--group-container DN]
//          --mail-users-group NAME [--limit-attribute A] [--timeout-ms N]
//          [find ACCOUNT] [has-domain D] [create-domain D]
//          [create ACCOUNT PASSWORD FULL_NAME DOMAIN HOME LIMIT MUST_CHANGE(0|1) ORIGIN]
//          [complete ACCOUNT DOMAIN PASSWORD MUST_CHANGE(0|1)] [check-row ACCOUNT DOMAIN]
//          [check-password ACCOUNT PASSWORD] [list] [describe]...
// The administrator's password is read from a file only its owner can read (mode
// 0600), never from the command line, which every local user sees in ps. Test tool:
// the users' passwords in the steps are made up by the test.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "dirmail/base/private_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/migration/ad_account_target.hpp"

namespace {

using namespace dirmail;
using namespace dirmail::migration;

// A JSON string; the target's text is UTF-8, and any other octet is shown as U+FFFD's
// escape so that the line stays valid JSON.
std::string json(std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  std::string out = "\"";
  const bool utf8 = valid_utf8(s);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else if (u >= 0x80 && !utf8) {
      out += "\\ufffd";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string json(bool b) { return b ? "true" : "false"; }

std::string json(const std::vector<std::string>& list) {
  std::string out = "[";
  for (std::size_t i = 0; i < list.size(); ++i) out += (i ? "," : "") + json(std::string_view(list[i]));
  return out + "]";
}

void print_error(std::string_view step, const Error& error) {
  std::cout << "{\"step\":" << json(step) << ",\"ok\":false,\"code\":" << json(to_string(error.code))
            << ",\"message\":" << json(std::string_view(error.message)) << "}\n";
}

void print_failure(std::string_view step, const std::optional<TargetFailure>& failure) {
  if (!failure) {
    std::cout << "{\"step\":" << json(step) << ",\"ok\":true}\n";
    return;
  }
  std::cout << "{\"step\":" << json(step) << ",\"ok\":false,\"kind\":" << json(to_string(failure->kind))
            << ",\"message\":" << json(std::string_view(failure->message)) << "}\n";
}

std::string account_json(const TargetAccount& a) {
  return "\"account\":" + json(std::string_view(a.account)) +
         ",\"display_name\":" + json(std::string_view(a.display_name)) +
         ",\"home_folder\":" + json(std::string_view(a.home_folder)) + ",\"domains\":" + json(a.domains) +
         ",\"mail_user\":" + json(a.mail_user) + ",\"imported\":" + json(a.imported) +
         ",\"mailbox_limit\":" + std::to_string(a.mailbox_limit) + ",\"enabled\":" + json(a.enabled);
}

std::string row_json(const SoftAccount& r) {
  return "{\"account\":" + json(std::string_view(r.account)) + ",\"password\":" + json(std::string_view(r.password)) +
         ",\"full_name\":" + json(std::string_view(r.full_name)) + ",\"domain\":" + json(std::string_view(r.domain)) +
         ",\"home_folder\":" + json(std::string_view(r.home_folder)) + ",\"smtp_auth\":" + json(r.smtp_auth) +
         ",\"apop\":" + json(r.apop) + ",\"mailbox_limit\":" + std::to_string(r.mailbox_limit) + "}";
}

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "ad_target_check: " << why << " (see the comment at the top of the source)\n";
  std::exit(2);
}

constexpr std::size_t max_password_file = 1024;

// The file's content without the line end an editor adds.
std::string password_from(const std::string& path) {
  auto content = posix::read_private_file(path, max_password_file);
  if (!content) usage("--password-file " + path + ": " + content.error().message);
  std::string password = std::move(*content);
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  return password;
}

std::uint64_t number(const std::string& text) {
  auto value = parse_decimal(text, 19);
  if (!value) usage("not a number: " + text);
  return *value;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // libldap writes with write(2)
  std::vector<std::string> args(argv + 1, argv + argc);
  AdTargetOptions options;
  std::size_t i = 0;
  auto next = [&](const std::string& option) -> std::string {
    if (i + 1 >= args.size()) usage(option + " needs a value");
    return args[++i];
  };
  for (; i < args.size() && args[i].rfind("--", 0) == 0; ++i) {
    const std::string& option = args[i];
    if (option == "--uri") options.connection.uri = next(option);
    else if (option == "--start-tls") options.connection.start_tls = true;
    else if (option == "--ca-file") options.connection.ca_file = next(option);
    else if (option == "--bind-dn") options.connection.bind_dn = next(option);
    else if (option == "--password-file") options.connection.bind_password = password_from(next(option));
    else if (option == "--timeout-ms")
      options.connection.operation_timeout = std::chrono::milliseconds(number(next(option)));
    else if (option == "--base-dn") options.base_dn = next(option);
    else if (option == "--user-container") options.user_container = next(option);
    else if (option == "--group-container") options.group_container = next(option);
    else if (option == "--mail-users-group") options.mail_users_group = next(option);
    else if (option == "--limit-attribute") options.mailbox_limit_attribute = next(option);
    else usage("unknown option " + option);
  }
  options.connection.bind = directory::LdapBindMethod::simple;

  auto opened = open_ad_account_target(options);
  if (!opened) {
    print_error("open", opened.error());
    return 0;
  }
  std::cout << "{\"step\":\"open\",\"ok\":true}\n";
  AccountTarget& target = **opened;

  while (i < args.size()) {
    const std::string step = args[i++];
    auto take = [&](std::size_t count) {
      if (i + count > args.size()) usage(step + " needs " + std::to_string(count) + " arguments");
      std::vector<std::string> taken(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i + count));
      i += count;
      return taken;
    };
    if (step == "find") {
      auto a = take(1);
      auto found = target.find(a[0], "");
      if (!found) print_error(step, found.error());
      else if (!*found) std::cout << "{\"step\":\"find\",\"found\":false}\n";
      else std::cout << "{\"step\":\"find\",\"found\":true," << account_json(**found) << "}\n";
    } else if (step == "has-domain") {
      auto a = take(1);
      auto exists = target.has_domain(a[0]);
      if (!exists) print_error(step, exists.error());
      else std::cout << "{\"step\":\"has-domain\",\"exists\":" << json(*exists) << "}\n";
    } else if (step == "create-domain") {
      auto a = take(1);
      auto made = target.create_domain(a[0]);
      if (!made) print_error(step, made.error());
      else std::cout << "{\"step\":\"create-domain\",\"ok\":true}\n";
    } else if (step == "create") {
      auto a = take(8);
      NewAccount account;
      account.row.account = a[0];
      account.row.password = "";  // not used by create()
      account.password = a[1];
      account.row.full_name = a[2];
      account.row.domain = a[3];
      account.row.home_folder = a[4];
      account.row.mailbox_limit = number(a[5]);
      account.must_change = a[6] == "1";
      account.origin = a[7];
      print_failure(step, target.create(account));
    } else if (step == "complete") {
      auto a = take(4);
      auto found = target.find(a[0], a[1]);
      if (!found) {
        print_error(step, found.error());
      } else if (!*found) {
        std::cout << "{\"step\":\"complete\",\"ok\":false,\"kind\":\"test\",\"message\":\"no such account\"}\n";
      } else {
        NewAccount account;
        account.row.account = a[0];
        account.row.domain = a[1];
        account.password = a[2];
        account.must_change = a[3] == "1";
        print_failure(step, target.complete(account, **found));
      }
    } else if (step == "check-row") {
      auto a = take(2);
      SoftAccount row;
      row.account = a[0];
      row.domain = a[1];
      print_failure(step, target.check_row(row));
    } else if (step == "check-password") {
      auto a = take(2);
      auto objection = target.check_password(a[0], a[1]);
      if (!objection) print_error(step, objection.error());
      else
        std::cout << "{\"step\":\"check-password\",\"objection\":"
                  << (*objection ? json(std::string_view(**objection)) : std::string("null")) << "}\n";
    } else if (step == "list") {
      auto rows = target.list();
      if (!rows) {
        print_error(step, rows.error());
        continue;
      }
      std::string out = "{\"step\":\"list\",\"rows\":[";
      for (std::size_t r = 0; r < rows->size(); ++r) out += (r ? "," : "") + row_json((*rows)[r]);
      std::cout << out << "]}\n";
    } else if (step == "describe") {
      std::cout << "{\"step\":\"describe\",\"description\":" << json(std::string_view(target.description()))
                << ",\"one_namespace\":" << json(target.one_namespace()) << "}\n";
    } else {
      usage("unknown step " + step);
    }
  }
  return 0;
}
