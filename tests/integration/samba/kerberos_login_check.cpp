// Drives dirmail::auth::KerberosPasswordCheck from the command line for
// test_kerberos_password.py, against the Samba AD DC fixture's KDC (KRB5_CONFIG names
// its krb5.conf). One line per NAME PASSWORD pair:
//   result name=NAME outcome=O temporary=yes|no elapsed_ms=N principal=P detail=...
// Usage: kerberos_login_check --realm R --keytab K [--verify-principal P]
//          [--timeout-ms N] NAME PASSWORD [NAME PASSWORD]...
// Test tool: passwords on the command line are the fixture's, never real ones.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "dirmail/auth/kerberos_password_check.hpp"
#include "dirmail/base/strings.hpp"

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "kerberos_login_check: " << why << " (see the comment at the top of the source)\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dirmail;
  auth::KerberosPasswordCheckOptions options;
  std::vector<std::string> pairs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--realm") {
      options.realm = value();
    } else if (arg == "--keytab") {
      options.keytab = value();
    } else if (arg == "--verify-principal") {
      options.verify_principal = value();
    } else if (arg == "--timeout-ms") {
      auto ms = parse_decimal(value(), 9);
      if (!ms) usage("--timeout-ms needs a number");
      options.timeout = std::chrono::milliseconds(static_cast<long long>(*ms));
    } else {
      pairs.push_back(arg);
    }
  }
  if (pairs.empty() || pairs.size() % 2 != 0) usage("give NAME PASSWORD pairs");

  auth::KerberosPasswordCheck check(options);
  for (std::size_t i = 0; i < pairs.size(); i += 2) {
    auth::KerberosPasswordResult result = check.check(pairs[i], pairs[i + 1]);
    std::cout << "result name=" << escape_control(pairs[i]) << " outcome=" << auth::to_string(result.outcome)
              << " temporary=" << (auth::is_temporary(result.outcome) ? "yes" : "no")
              << " elapsed_ms=" << result.elapsed.count() << " principal=" << escape_control(result.principal)
              << " detail=" << escape_control(result.detail) << std::endl;
  }
  return 0;
}
