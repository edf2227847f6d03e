// dirmail-import: moves the original product's soft accounts and mailboxes into
// Active Directory (or the local directory) and dirmail's store; `export` writes the
// directory's users back in the original's format.
#include <algorithm>
#include <iostream>
#include <string>

#include "dirmail/config/loader.hpp"
#include "dirmail/store_settings/node_settings.hpp"
#include "import_commands.hpp"

namespace {

constexpr const char* usage_text =
    "usage: dirmail-import [--config FILE] [import] --accounts FILE [options]   (see import --help)\n"
    "       dirmail-import [--config FILE] export [--out FILE] [options]      (see export --help)\n"
    "\n"
    "import reads the original's account export and creates each account in Active Directory\n"
    "(directory.backend = ad: the user, its password, the mail-users group and its mail domain's\n"
    "group) or in the local directory, copies its mailbox with the original POP3 UIDLs, and puts\n"
    "SMTP-AUTH/APOP passwords into auth.secrets_file. --dry-run first; a re-run changes nothing.\n"
    "\n"
    "The configuration defaults to /etc/dirmail/dirmail.toml ($DIRMAIL_CONFIG overrides it).\n"
    "docs/migration.md has the whole procedure.\n";

}  // namespace

int main(int argc, char** argv) {
  auto command_line = dirmail::ctl::parse_command_line(argc, argv);
  if (command_line.help) {
    std::cout << usage_text;
    return 0;
  }
  const std::string& config_path = command_line.config_path;
  dirmail::ctl::Args& args = command_line.args;
  if (args.empty()) {
    std::cerr << usage_text;
    return 2;
  }
  // The commands take their own name first (as dirmailctl's word parser expects);
  // "import" may be left out.
  if (args.front() != "import" && args.front() != "export") args.insert(args.begin(), "import");
  const std::string command = args.front();
  // A command's --help needs no configuration.
  if (std::find(args.begin(), args.end(), "--help") != args.end()) {
    const auto settings = dirmail::config::defaults("/");
    return command == "export" ? dirmail::import_tool::export_command(settings, args, std::cout, std::cerr)
                               : dirmail::import_tool::import_command(settings, args, std::cout, std::cerr);
  }
  auto loaded = dirmail::store_settings::load_node_settings(config_path);
  if (!loaded) {
    std::cerr << "dirmail-import: " << loaded.error().message << "\n";
    return 2;
  }
  for (const auto& warning : loaded->warnings) std::cerr << "dirmail-import: warning: " << warning << "\n";
  if (command == "export") return dirmail::import_tool::export_command(loaded->settings, args, std::cout, std::cerr);
  return dirmail::import_tool::import_command(loaded->settings, args, std::cout, std::cerr);
}
