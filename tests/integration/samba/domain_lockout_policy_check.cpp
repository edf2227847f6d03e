// Reads the AD domain's lockout policy with dirmail::directory::read_domain_lockout_policy
// through a DcPool, for test_domain_lockout_policy.py. Prints one line:
//   policy threshold=N window_s=N duration_s=N until_unlocked=yes|no
//   error code=C message=...
// Usage: domain_lockout_policy_check --uri URI --ca-file F --bind-dn DN --password P [--base DN]
// Test tool: the password on the command line is the fixture's, never a real one.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/directory/dc_pool.hpp"
#include "dirmail/directory/domain_lockout_policy.hpp"

int main(int argc, char** argv) {
  using namespace dirmail;
  using namespace dirmail::directory;
  std::signal(SIGPIPE, SIG_IGN);  // libldap writes with write(2)
  DcPoolOptions pool_options;
  pool_options.connection.bind = LdapBindMethod::simple;
  std::string base;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "domain_lockout_policy_check: " << arg << " needs a value\n";
      return 2;
    }
    std::string value = argv[++i];
    if (arg == "--uri") pool_options.uris.push_back(value);
    else if (arg == "--ca-file") pool_options.connection.ca_file = value;
    else if (arg == "--bind-dn") pool_options.connection.bind_dn = value;
    else if (arg == "--password") pool_options.connection.bind_password = value;
    else if (arg == "--base") base = value;
    else {
      std::cerr << "domain_lockout_policy_check: unknown option " << arg << "\n";
      return 2;
    }
  }
  DcPool pool(pool_options);
  auto policy = read_domain_lockout_policy(pool, base);
  pool.stop();
  if (!policy) {
    std::cout << "error code=" << to_string(policy.error().code)
              << " message=" << escape_control(policy.error().message) << std::endl;
    return 0;
  }
  std::cout << "policy threshold=" << policy->lockout_threshold
            << " window_s=" << policy->observation_window.count()
            << " duration_s=" << policy->lockout_duration.count()
            << " until_unlocked=" << (policy->locked_until_unlocked ? "yes" : "no") << std::endl;
  return 0;
}
