// dirmail-import [import]: the original's account export into AD or the local
// directory, its mailboxes into the store (soft_account_import.hpp says what each row
// becomes).
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "dirmail/auth/secrets_file_edit.hpp"
#include "dirmail/base/private_file.hpp"
#include "dirmail/base/windows_path_map.hpp"
#include "dirmail/directory/mail_names.hpp"
#include "dirmail/migration/generated_password.hpp"
#include "dirmail/migration/soft_account_import.hpp"
#include "dirmail/store/file_mail_store.hpp"
#include "dirmail/store/posix_file_system.hpp"
#include "dirmail/store_settings/storage_from_settings.hpp"
#include "import_commands.hpp"
#include "import_report.hpp"
#include "import_target.hpp"
#include "passwords_out.hpp"
#include "progress_bar.hpp"

namespace dirmail::import_tool {
namespace {

constexpr const char* import_usage =
    "usage: dirmail-import [import] --accounts FILE [options]\n"
    "  --accounts FILE            the original's account export (TAB-separated, 8 fields)\n"
    "  --encoding auto|utf-8|cp932   its encoding (default auto: a UTF-8 BOM, else a vote)\n"
    "  --mail-from DIR            the original's mail work folder (a copy or a mount); without\n"
    "                             it only accounts are imported\n"
    "  --layout common|per-domain|home   where its mailboxes are (default common: inbox\\<account>)\n"
    "  --home-map 'PREFIX=DIR[;...]'   home folders to local folders (the home layout)\n"
    "  --create-domains           create missing mail domains (AD: their groups)\n"
    "  --ignore-passwords         the file's passwords are not plain (the original's \"Encoded\"\n"
    "                             export): every account gets a generated password\n"
    "  --passwords-out FILE       where generated passwords go (mode 0600); needed when any are\n"
    "  --state-dir DIR            the copy journal (default <server.data_dir>/migration)\n"
    "  --dry-run                  say what would happen; change nothing\n"
    "  --report FILE              write the report there too\n"
    "  --json                     the report as JSON on standard output\n"
    "  --progress | --no-progress   the progress bar (default: when standard error is a terminal)\n";

int usage(std::ostream& err, std::string_view problem = {}) {
  if (!problem.empty()) err << "dirmail-import: " << problem << "\n";
  err << import_usage << target_usage;
  return 2;
}

int failed(std::ostream& err, std::string_view message) {
  err << "dirmail-import: " << message << "\n";
  return 2;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    auto end = text.find(separator);
    if (end != 0) parts.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return parts;
}

// Rows that will need a generated password (before the run: so that a missing
// --passwords-out stops it before anything is created).
bool needs_generated_passwords(const migration::SoftAccountFile& file, bool ignore_passwords) {
  for (const auto& row : file.rows)
    if (ignore_passwords || row.account.password.empty()) return true;
  return false;
}

// Where the store keeps mail, as dirmaild does: posix, or the SMB share.
struct ImportStore {
  store::MailboxLocation location;
  std::shared_ptr<store::FileSystem> fs;
  std::unique_ptr<store::FileMailStore> store;
};

Result<ImportStore> open_store(const config::Settings& s) {
  ImportStore opened;
  auto location = store_settings::mailbox_location(s);
  if (!location) return std::move(location).error();
  opened.location = std::move(*location);
  if (s.store_backend == "smb") {
    auto share = store_settings::share_file_system(s, "import-smb.ccache");
    if (!share) return std::move(share).error();
    opened.fs = std::move(*share);
  } else {
    opened.fs = std::make_shared<store::PosixFileSystem>();
  }
  opened.store = std::make_unique<store::FileMailStore>(opened.fs);
  return opened;
}

}  // namespace

int import_command(const config::Settings& s, const ctl::Args& args, std::ostream& out, std::ostream& err) {
  std::set<std::string> values = {"--accounts", "--encoding", "--mail-from", "--layout", "--home-map",
                                  "--passwords-out", "--state-dir", "--report"};
  std::set<std::string> flags = {"--create-domains", "--ignore-passwords", "--dry-run", "--json", "--progress",
                                 "--no-progress"};
  add_target_options(values, flags);
  if (std::find(args.begin(), args.end(), "--help") != args.end()) {
    out << import_usage << target_usage;
    return 0;
  }
  auto words = ctl::parse_words(args, values, flags);
  if (!words) return usage(err, words.error().message);
  if (!words->positional.empty()) return usage(err, "unexpected \"" + words->positional.front() + "\"");
  if (!words->values.contains("--accounts")) return usage(err, "--accounts FILE is needed");
  const bool dry_run = words->flags.contains("--dry-run");

  migration::ReadOptions read_options;
  if (std::string encoding = ctl::value_or(*words, "--encoding", "auto"); encoding != "auto") {
    read_options.encoding = migration::parse_export_encoding(encoding);
    if (!read_options.encoding) return usage(err, "--encoding must be auto, utf-8 or cp932");
  }
  const std::string accounts_path = words->values.at("--accounts");
  auto file = migration::read_soft_account_file(accounts_path, read_options);
  if (!file) return failed(err, file.error().message);

  migration::ImportOptions options;
  options.source_name = accounts_path;
  options.dry_run = dry_run;
  options.create_domains = words->flags.contains("--create-domains");
  options.ignore_passwords = words->flags.contains("--ignore-passwords");
  const std::string passwords_out = ctl::value_or(*words, "--passwords-out", "");
  if (!dry_run && passwords_out.empty() && needs_generated_passwords(*file, options.ignore_passwords))
    return failed(err,
                  "some accounts have no password in the file (or --ignore-passwords): give --passwords-out FILE for "
                  "the passwords that will be generated");
  options.generate_password = migration::generate_password;
  for (const auto& domain : s.directory_mail_domains)
    if (auto canonical = directory::canonical_domain(domain)) options.mail_domains.push_back(*canonical);

  // The target first: nothing is written before the configuration proved usable.
  auto target = open_target(s, *words, dry_run, err);
  if (!target) return failed(err, target.error().message);
  options.mailbox_limits_kept = target->keeps_mailbox_limits;

  // Mail: the original's tree, dirmail's store and the copy journal.
  std::optional<ImportStore> store;
  std::optional<migration::MigrationJournal> journal;
  std::optional<WindowsPathMap> home_map;
  if (words->values.contains("--mail-from")) {
    migration::OriginalMailboxPlace place;
    place.work_folder = words->values.at("--mail-from");
    auto layout = migration::parse_original_layout(ctl::value_or(*words, "--layout", "common"));
    if (!layout) return usage(err, "--layout must be common, per-domain or home");
    place.layout = *layout;
    if (place.layout == migration::OriginalLayout::home) {
      if (!words->values.contains("--home-map"))
        return usage(err, "--layout home needs --home-map 'PREFIX=DIR' for the home folders of the file");
      auto map = WindowsPathMap::parse(split(words->values.at("--home-map"), ';'));
      if (!map) return failed(err, "--home-map: " + map.error().message);
      home_map = std::move(*map);
      options.map_home = [&home_map](const std::string& home) { return home_map->map(home); };
    }
    options.mail_source = place;
    auto opened = open_store(s);
    if (!opened) return failed(err, "the mail store: " + opened.error().message);
    store = std::move(*opened);
    options.store = store->store.get();
    // The mailbox dirmaild opens for the account: its canonical (lower-case) name and
    // domain; an AD user in no domain group has the first of directory.mail_domains.
    options.mailbox_root = [&store, &options](const migration::TargetAccount& account,
                                              const migration::SoftAccount& row) -> Result<std::string> {
      auto name = directory::canonical_account_name(account.account);
      if (!name) return std::move(name).error();
      std::string domain;
      if (!row.domain.empty()) {
        auto canonical = directory::canonical_domain(row.domain);
        if (!canonical) return std::move(canonical).error();
        domain = std::move(*canonical);
      } else if (!options.mail_domains.empty()) {
        domain = options.mail_domains.front();
      }
      return store->location.root_for({*name, domain, account.home_folder});
    };
    const std::string state_dir = ctl::value_or(*words, "--state-dir", s.server_data_dir + "/migration");
    auto opened_journal = dry_run ? migration::MigrationJournal::open_read_only(state_dir)
                                  : migration::MigrationJournal::open(state_dir);
    if (!opened_journal) return failed(err, "the copy journal: " + opened_journal.error().message);
    journal = std::move(*opened_journal);
    options.journal = &*journal;
    options.spool_dir = state_dir;
  }

  // SMTP-AUTH/APOP passwords.
  std::optional<auth::SecretsFileEdit> secrets;
  std::optional<auth::SealingKey> sealing_key;
  if (!s.auth_secrets_file.empty()) {
    auto loaded = auth::SecretsFileEdit::load(s.auth_secrets_file);
    if (!loaded) return failed(err, "auth.secrets_file: " + loaded.error().message);
    secrets = std::move(*loaded);
    options.secrets = &*secrets;
    if (!s.auth_secrets_key_file.empty() && !dry_run) {
      bool made = false;
      auto key = auth::load_or_create_sealing_key(s.auth_secrets_key_file, made);
      if (!key) return failed(err, "auth.secrets_key_file: " + key.error().message);
      if (made) err << "dirmail-import: made a new key in " << s.auth_secrets_key_file << " (keep it apart from the secrets file)\n";
      sealing_key = std::move(*key);
    }
    if (sealing_key) options.sealing_key = &*sealing_key;
  }

  // Generated passwords, each kept before its account is made.
  std::optional<PasswordsOut> kept_passwords;
  if (!dry_run && !passwords_out.empty()) {
    auto opened = PasswordsOut::open(passwords_out);
    if (!opened) return failed(err, "--passwords-out: " + opened.error().message);
    kept_passwords.emplace(std::move(*opened));
    options.keep_generated_password = [&kept_passwords](const migration::SoftAccount& row, const std::string& password) {
      return kept_passwords->keep(row, password);
    };
  }

  std::optional<ProgressBar> bar;
  const bool progress = words->flags.contains("--progress") ||
                        (!words->flags.contains("--no-progress") && ::isatty(STDERR_FILENO) != 0);
  if (progress) {
    bar.emplace(err);
    options.progress = [&bar](const migration::ImportProgress& p) { bar->update(p); };
  }
  auto summary = migration::import_soft_accounts(*file, *target->target, options);
  bar.reset();

  if (kept_passwords && std::any_of(summary.accounts.begin(), summary.accounts.end(),
                                    [](const migration::AccountImport& a) { return a.generated_password.has_value(); }))
    err << "dirmail-import: the generated passwords are in " << passwords_out << " (mode 0600)\n";
  const std::string text = format_text_report(summary);
  int status = summary.exit_code();
  if (auto it = words->values.find("--report"); it != words->values.end()) {
    if (auto written = posix::write_private_file(it->second, text); !written) {
      err << "dirmail-import: the report could not be written to " << it->second << ": " << written.error().message << "\n";
      status = 1;
    }
  }
  out << (words->flags.contains("--json") ? format_json_report(summary) : text);
  return status;
}

}  // namespace dirmail::import_tool
