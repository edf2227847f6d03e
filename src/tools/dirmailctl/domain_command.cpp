// dirmailctl domain add|del|list: the mail domains of the local directory.
#include <algorithm>
#include <charconv>
#include <ostream>
#include <string>

#include "commands.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/directory/local_directory.hpp"

namespace dirmail::ctl {
namespace {

constexpr const char* domain_usage =
    "usage: dirmailctl domain add DOMAIN [--limit N]   (N accounts at most; 0 = unlimited)\n"
    "       dirmailctl domain del DOMAIN               (only when it has no users or aliases)\n"
    "       dirmailctl domain list\n";

int usage(std::ostream& err, std::string_view problem) {
  if (!problem.empty()) err << "dirmailctl: " << problem << "\n";
  err << domain_usage;
  return 2;
}

int failed(std::ostream& err, const Error& error) {
  err << "dirmailctl: " << error.message << "\n";
  return 1;
}

bool parse_count(std::string_view text, std::uint64_t& value) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

int add_domain(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  std::string domain;
  std::uint64_t limit = 0;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--limit" || word.starts_with("--limit=")) {
      std::string value;
      if (word == "--limit") {
        if (i + 1 >= args.size()) return usage(err, "--limit needs a number");
        value = args[++i];
      } else {
        value = word.substr(8);
      }
      if (!parse_count(value, limit)) return usage(err, "--limit needs a number, not '" + value + "'");
    } else if (word.starts_with("-")) {
      return usage(err, "unknown option " + word);
    } else if (domain.empty()) {
      domain = word;
    } else {
      return usage(err, "domain add takes one domain");
    }
  }
  if (domain.empty()) return usage(err, "domain add needs a DOMAIN");
  auto done = dir.add_domain(domain, limit);
  if (!done) return failed(err, done.error());
  out << "added domain " << to_lower(domain) << "\n";
  return 0;
}

int remove_domain(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 2) return usage(err, "domain del takes one DOMAIN");
  auto done = dir.remove_domain(args[1]);
  if (!done) return failed(err, done.error());
  out << "removed domain " << to_lower(args[1]) << "\n";
  return 0;
}

int list_domains(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 1) return usage(err, "domain list takes no arguments");
  auto domains = dir.list_domains();
  if (!domains) return failed(err, domains.error());
  std::size_t width = 0;
  for (const auto& domain : *domains) width = std::max(width, domain.name.size());
  for (const auto& domain : *domains) {
    std::string limit = domain.account_limit == 0 ? "unlimited" : std::to_string(domain.account_limit);
    out << domain.name << std::string(width - domain.name.size() + 2, ' ') << domain.user_count << " users, limit "
        << limit << "\n";
  }
  return 0;
}

}  // namespace

int domain_command(directory::LocalDirectory& dir, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage(err, "");
  const std::string& verb = args[0];
  if (verb == "add") return add_domain(dir, args, out, err);
  if (verb == "del" || verb == "remove") return remove_domain(dir, args, out, err);
  if (verb == "list") return list_domains(dir, args, out, err);
  return usage(err, "unknown domain command '" + verb + "'");
}

}  // namespace dirmail::ctl
