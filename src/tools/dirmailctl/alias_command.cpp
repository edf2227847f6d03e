// dirmailctl alias add|del|list. "*@domain" is the catch-all alias of the original
// product's alias settings: it takes every address of the domain that is not a user.
#include "alias_command.hpp"

#include <algorithm>
#include <ostream>
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/directory/local_directory.hpp"

namespace dirmail::ctl {
namespace {

constexpr const char* alias_usage =
    "usage: dirmailctl alias add ADDRESS TARGET[,TARGET...]   (ADDRESS may be *@DOMAIN)\n"
    "       dirmailctl alias del ADDRESS\n"
    "       dirmailctl alias list [DOMAIN]\n";

int usage(std::ostream& err, std::string_view problem) {
  if (!problem.empty()) err << "dirmailctl: " << problem << "\n";
  err << alias_usage;
  return 2;
}

int failed(std::ostream& err, const Error& error) {
  err << "dirmailctl: " << error.message << "\n";
  return 1;
}

int add_alias(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.size() < 3) return usage(err, "alias add needs ADDRESS and at least one TARGET");
  // Targets may be given as one comma-separated word, several words, or both.
  std::vector<std::string> targets;
  for (std::size_t i = 2; i < args.size(); ++i) {
    for (std::string_view target : split(args[i], ',')) {
      target = trim(target);
      if (!target.empty()) targets.emplace_back(target);
    }
  }
  auto done = dir.add_alias(args[1], targets);
  if (!done) {
    if (done.error().code == ErrorCode::not_found) {
      auto at = args[1].rfind('@');
      std::string domain = at == std::string::npos ? std::string() : to_lower(args[1].substr(at + 1));
      err << "dirmailctl: " << done.error().message << "; add it first with `dirmailctl domain add " << domain
          << "`\n";
      return 1;
    }
    return failed(err, done.error());
  }
  out << "added alias " << to_lower(args[1]) << "\n";
  return 0;
}

int remove_alias(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 2) return usage(err, "alias del takes one ADDRESS");
  auto done = dir.remove_alias(args[1]);
  if (!done) return failed(err, done.error());
  out << "removed alias " << to_lower(args[1]) << "\n";
  return 0;
}

int list_aliases(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.size() > 2) return usage(err, "alias list takes at most one DOMAIN");
  std::optional<std::string_view> domain;
  if (args.size() == 2) domain = args[1];
  auto aliases = dir.list_aliases(domain);
  if (!aliases) return failed(err, aliases.error());
  std::size_t width = 0;
  for (const auto& alias : *aliases) width = std::max(width, alias.address.size());
  for (const auto& alias : *aliases) {
    out << alias.address << std::string(width - alias.address.size() + 2, ' ');
    for (std::size_t i = 0; i < alias.targets.size(); ++i) out << (i == 0 ? "" : ",") << alias.targets[i];
    out << "\n";
  }
  return 0;
}

}  // namespace

int alias_command(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage(err, "");
  const std::string& verb = args[0];
  if (verb == "add") return add_alias(dir, args, out, err);
  if (verb == "del" || verb == "remove") return remove_alias(dir, args, out, err);
  if (verb == "list") return list_aliases(dir, args, out, err);
  return usage(err, "unknown alias command '" + verb + "'");
}

}  // namespace dirmail::ctl
