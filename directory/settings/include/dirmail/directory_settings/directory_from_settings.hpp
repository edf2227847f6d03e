#pragma once
// The directory backend the settings ask for (local, ad or ldap), for dirmaild and
// dirmailctl alike. Settings that only make sense together are checked here, with
// messages that name the settings.
#include <memory>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/directory/dc_discovery.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/directory/ldap_directory.hpp"
#include "dirmail/directory/local_directory.hpp"

namespace dirmail::directory {

struct DirectoryBackend {
  std::unique_ptr<Directory> directory;
  PasswordStore* passwords = nullptr;  // the same object, seen as a PasswordStore
  LocalDirectory* local = nullptr;     // set for the local backend
  LdapDirectory* ldap = nullptr;       // set for the ad and ldap backends
};

// Every problem of the directory settings, each naming its setting; empty if none.
std::vector<std::string> check_directory_settings(const config::Settings& settings);

// The options of the ad and ldap backends (reads the bind password file).
Result<LdapDirectoryOptions> ldap_directory_options(const config::Settings& settings);

// DNS discovery of the domain controllers (directory.realm, site, dns_server).
DcDiscoveryOptions discovery_options(const config::Settings& settings);

// Where dirmaild writes the directory status that `dirmailctl directory status` shows.
std::string directory_status_file(const config::Settings& settings);

// Opens the configured backend. The ad and ldap backends are not started (no probe
// or snapshot thread) until the caller calls ldap->start().
// report_status: the backend writes directory_status_file() (dirmaild does; dirmailctl
// must not overwrite the daemon's report).
Result<DirectoryBackend> open_directory(const config::Settings& settings, bool report_status = true);

}  // namespace dirmail::directory
