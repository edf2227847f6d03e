// Drives dirmail::directory::LdapConnection from the command line for
// test_ldap_connection.py: options describe the connection, then commands run on it
// in order. Every result is one line the test parses:
//   open ok elapsed_ms=N | open error code=C elapsed_ms=N message=...
//   entry DN            (then)  value ATTRIBUTE HEX   (raw octets, hex-encoded)
//   search ok count=N elapsed_ms=N | search error code=C elapsed_ms=N message=...
//   password accepted | password refused refusal=R diagnostic=... | password error code=C message=...
// Usage: ldap_connection_check --uri URI [--start-tls] [--ca-file F] [--no-verify]
//          [--bind anonymous|simple|gssapi] [--bind-dn DN] [--password P]
//          [--keytab K] [--principal P] [--min-ssf N] [--connect-timeout-ms N]
//          [--timeout-ms N]
//          [search BASE SCOPE FILTER ATTRS PAGE_SIZE MAX_ENTRIES]...
//          [rootdse ATTRS]... [check-password NAME PASSWORD]...
//   SCOPE: base|one|sub. ATTRS: comma-separated, "-" for none.
// Test tool: passwords on the command line are the fixture's, never real ones.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "dirmail/base/error.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/directory/ldap_connection.hpp"

namespace {

using namespace dirmail;
using namespace dirmail::directory;
using Clock = std::chrono::steady_clock;

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

std::string hex(const std::string& octets) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : octets) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::vector<std::string> attribute_list(const std::string& text) {
  std::vector<std::string> out;
  if (text == "-") return out;
  for (std::string_view part : split(text, ','))
    if (!part.empty()) out.emplace_back(part);
  return out;
}

void print_error(const char* what, const Error& error, long ms) {
  std::string code(to_string(error.code));
  for (char& c : code)
    if (c == ' ') c = '_';  // one word, as ErrorCode spells it
  std::cout << what << " error code=" << code << " elapsed_ms=" << ms
            << " message=" << escape_control(error.message) << "\n";
}

void print_entry(const LdapEntry& entry) {
  std::cout << "entry " << escape_control(entry.dn) << "\n";
  for (const auto& [name, values] : entry.attributes)
    for (const std::string& value : values) std::cout << "value " << name << " " << hex(value) << "\n";
}

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "ldap_connection_check: " << why << " (see the comment at the top of the source)\n";
  std::exit(2);
}

std::chrono::milliseconds millis(const std::string& text) {
  auto value = parse_decimal(text, 9);
  if (!value) usage("not a number of milliseconds: " + text);
  return std::chrono::milliseconds(static_cast<long long>(*value));
}

}  // namespace

int main(int argc, char** argv) {
  // libldap writes with write(2); dirmaild blocks SIGPIPE the same way.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  LdapConnectionOptions options;
  std::size_t i = 0;
  auto next = [&](const std::string& option) -> std::string {
    if (i + 1 >= args.size()) usage(option + " needs a value");
    return args[++i];
  };
  for (; i < args.size() && args[i].rfind("--", 0) == 0; ++i) {
    const std::string& option = args[i];
    if (option == "--uri") options.uri = next(option);
    else if (option == "--start-tls") options.start_tls = true;
    else if (option == "--ca-file") options.ca_file = next(option);
    else if (option == "--no-verify") options.verify_certificate = false;
    else if (option == "--bind-dn") options.bind_dn = next(option);
    else if (option == "--password") options.bind_password = next(option);
    else if (option == "--keytab") options.keytab = next(option);
    else if (option == "--principal") options.principal = next(option);
    else if (option == "--min-ssf") options.sasl_min_ssf = static_cast<int>(millis(next(option)).count());
    else if (option == "--connect-timeout-ms") options.connect_timeout = millis(next(option));
    else if (option == "--timeout-ms") options.operation_timeout = millis(next(option));
    else if (option == "--bind") {
      std::string method = next(option);
      if (method == "anonymous") options.bind = LdapBindMethod::anonymous;
      else if (method == "simple") options.bind = LdapBindMethod::simple;
      else if (method == "gssapi") options.bind = LdapBindMethod::gssapi;
      else usage("unknown bind method " + method);
    } else {
      usage("unknown option " + option);
    }
  }

  auto began = Clock::now();
  auto connection = LdapConnection::open(options);
  if (!connection) {
    print_error("open", connection.error(), elapsed_ms(began));
    return 0;
  }
  std::cout << "open ok elapsed_ms=" << elapsed_ms(began) << "\n";

  while (i < args.size()) {
    const std::string command = args[i++];
    auto take = [&](std::size_t count) {
      if (i + count > args.size()) usage(command + " needs " + std::to_string(count) + " arguments");
      std::vector<std::string> taken(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i + count));
      i += count;
      return taken;
    };
    began = Clock::now();
    if (command == "search") {
      auto a = take(6);
      LdapSearch request;
      request.base = a[0];
      if (a[1] == "base") request.scope = LdapScope::base;
      else if (a[1] == "one") request.scope = LdapScope::one_level;
      else if (a[1] == "sub") request.scope = LdapScope::subtree;
      else usage("unknown scope " + a[1]);
      request.filter = a[2];
      request.attributes = attribute_list(a[3]);
      request.page_size = static_cast<int>(millis(a[4]).count());
      request.max_entries = static_cast<std::size_t>(millis(a[5]).count());
      auto entries = (*connection)->search(request);
      if (!entries) {
        print_error("search", entries.error(), elapsed_ms(began));
        continue;
      }
      for (const LdapEntry& entry : *entries) print_entry(entry);
      std::cout << "search ok count=" << entries->size() << " elapsed_ms=" << elapsed_ms(began) << "\n";
    } else if (command == "rootdse") {
      auto a = take(1);
      auto entry = (*connection)->root_dse(attribute_list(a[0]));
      if (!entry) {
        print_error("search", entry.error(), elapsed_ms(began));
        continue;
      }
      print_entry(*entry);
      std::cout << "search ok count=1 elapsed_ms=" << elapsed_ms(began) << "\n";
    } else if (command == "check-password") {
      auto a = take(2);
      auto result = (*connection)->check_password(a[0], a[1]);
      if (!result) {
        print_error("password", result.error(), elapsed_ms(began));
      } else if (result->accepted) {
        std::cout << "password accepted elapsed_ms=" << elapsed_ms(began) << "\n";
      } else {
        std::cout << "password refused refusal=" << to_string(result->refusal) << " elapsed_ms=" << elapsed_ms(began)
                  << " diagnostic=" << result->diagnostic << "\n";
      }
    } else {
      usage("unknown command " + command);
    }
  }
  return 0;
}
