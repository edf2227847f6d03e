// dirmail-import export: the directory's mail users in the original's export format,
// for audits and for a way back. Passwords stay empty (no directory gives them back);
// the SMTP-AUTH and APOP flags say whether the secrets file has the user's password.
#include <algorithm>
#include <iostream>

#include "dirmail/auth/secrets_file_edit.hpp"
#include "dirmail/base/private_file.hpp"
#include "dirmail/migration/soft_account_writer.hpp"
#include "import_commands.hpp"
#include "import_target.hpp"

namespace dirmail::import_tool {
namespace {

constexpr const char* export_usage =
    "usage: dirmail-import export [--out FILE] [--encoding cp932|utf-8] [--bom] [--lf] [target options]\n"
    "  --out FILE                 write there (mode 0600); default: standard output\n"
    "  --encoding cp932|utf-8     default cp932, what the original's Account Manager reads\n"
    "  --bom                      a UTF-8 byte order mark first (for Excel)\n"
    "  --lf                       LF line ends (default CR LF)\n";

int usage(std::ostream& err, std::string_view problem = {}) {
  if (!problem.empty()) err << "dirmail-import: " << problem << "\n";
  err << export_usage << target_usage;
  return 2;
}

int failed(std::ostream& err, std::string_view message) {
  err << "dirmail-import: " << message << "\n";
  return 2;
}

}  // namespace

int export_command(const config::Settings& s, const ctl::Args& args, std::ostream& out, std::ostream& err) {
  std::set<std::string> values = {"--out", "--encoding"};
  std::set<std::string> flags = {"--bom", "--lf"};
  add_target_options(values, flags);
  if (std::find(args.begin(), args.end(), "--help") != args.end()) {
    out << export_usage << target_usage;
    return 0;
  }
  auto words = ctl::parse_words(args, values, flags);
  if (!words) return usage(err, words.error().message);
  if (!words->positional.empty()) return usage(err, "unexpected \"" + words->positional.front() + "\"");
  migration::WriteOptions options;
  if (auto it = words->values.find("--encoding"); it != words->values.end()) {
    auto encoding = migration::parse_export_encoding(it->second);
    if (!encoding) return usage(err, "--encoding must be cp932 or utf-8");
    options.encoding = *encoding;
  }
  options.bom = words->flags.contains("--bom");
  if (options.bom && options.encoding != migration::ExportEncoding::utf8)
    return usage(err, "--bom is for --encoding utf-8");
  options.crlf = !words->flags.contains("--lf");

  auto target = open_target(s, *words, /*dry_run=*/true, err);
  if (!target) return failed(err, target.error().message);
  auto rows = target->target->list();
  if (!rows) return failed(err, "the accounts cannot be listed: " + rows.error().message);
  if (!s.auth_secrets_file.empty()) {
    auto secrets = auth::SecretsFileEdit::load(s.auth_secrets_file);
    if (!secrets) return failed(err, "auth.secrets_file: " + secrets.error().message);
    for (auto& row : *rows) {
      std::string login = target->target->one_namespace() || row.domain.empty() ? row.account
                                                                                 : row.account + "@" + row.domain;
      auto key = auth::secret_login_key(login);
      if (key && secrets->has(*key)) row.smtp_auth = row.apop = true;
    }
  }
  auto exported = migration::write_soft_accounts(*rows, options);
  for (const auto& problem : exported.problems)
    err << "dirmail-import: " << problem.account << " left out: " << problem.reason << "\n";
  if (auto it = words->values.find("--out"); it != words->values.end()) {
    if (auto written = posix::write_private_file(it->second, exported.content); !written)
      return failed(err, it->second + ": " + written.error().message);
    err << "dirmail-import: " << exported.written << " accounts written to " << it->second << "\n";
  } else {
    out << exported.content;
  }
  return exported.problems.empty() ? 0 : 1;
}

}  // namespace dirmail::import_tool
