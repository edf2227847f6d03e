#include "dirmail/migration/soft_account_import.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace dirmail::migration {
namespace {

// The lines that must not be taken, for this target: with one namespace every row of a
// conflict; otherwise only rows whose name and domain repeat (name@domain is the key).
std::set<std::size_t> conflicting_lines(const SoftAccountFile& file, bool one_namespace) {
  std::set<std::size_t> lines;
  for (const auto& conflict : file.conflicts) {
    if (one_namespace) {
      lines.insert(conflict.lines.begin(), conflict.lines.end());
      continue;
    }
    std::map<std::string, std::vector<std::size_t>> by_domain;
    for (std::size_t i = 0; i < conflict.lines.size(); ++i)
      by_domain[domain_key(conflict.domains[i])].push_back(conflict.lines[i]);
    for (const auto& [domain, domain_lines] : by_domain)
      if (domain_lines.size() > 1) lines.insert(domain_lines.begin(), domain_lines.end());
  }
  return lines;
}

// Whether `held` differs from the row only in the groups an import adds (a run cut
// short after the user was made): then the groups can be completed.
bool only_groups_missing(TargetAccount held, const SoftAccount& row) {
  held.mail_user = true;
  if (!row.domain.empty() &&
      std::none_of(held.domains.begin(), held.domains.end(),
                   [&](const std::string& d) { return domain_key(d) == domain_key(row.domain); }))
    held.domains.push_back(row.domain);
  return target_matches(held, row);
}

const AccountConflict* conflict_of(const SoftAccountFile& file, std::size_t line) {
  for (const auto& conflict : file.conflicts)
    if (std::find(conflict.lines.begin(), conflict.lines.end(), line) != conflict.lines.end()) return &conflict;
  return nullptr;
}

std::string describe_failure(const TargetFailure& failure) {
  if (failure.kind == TargetFailureKind::password_policy)
    return fmt::format("{} ({})", password_policy_message, password_policy_message_ja);
  return failure.message;
}

class ImportRun {
 public:
  ImportRun(const SoftAccountFile& file, AccountTarget& target, const ImportOptions& options)
      : file_(file), target_(target), options_(options) {}

  ImportSummary run() {
    summary_.dry_run = options_.dry_run;
    summary_.target = target_.description();
    summary_.source = options_.source_name;
    summary_.encoding = file_.encoding;
    summary_.problems = file_.problems;
    summary_.unlisted_problems = file_.unlisted_problems;
    if (options_.secrets == nullptr && needs_secrets())
      summary_.notes.push_back(
          "auth.secrets_file is not set: the SMTP-AUTH/APOP passwords of flagged accounts are not carried over");
    const auto conflicts = conflicting_lines(file_, target_.one_namespace());
    progress_.total = file_.rows.size();
    for (const auto& row : file_.rows) {
      progress_.current = row.account.account;
      report_progress();
      summary_.accounts.push_back(conflicts.contains(row.line) ? conflict_row(row) : import_row(row));
      ++progress_.done;
    }
    progress_.current.clear();
    report_progress();
    return std::move(summary_);
  }

 private:
  bool needs_secrets() const {
    return std::any_of(file_.rows.begin(), file_.rows.end(), [](const SoftAccountRow& r) {
      return (r.account.smtp_auth || r.account.apop) && !r.account.password.empty();
    });
  }

  void report_progress() {
    if (options_.progress) options_.progress(progress_);
  }

  AccountImport start(const SoftAccountRow& row) {
    AccountImport a;
    a.line = row.line;
    a.account = row.account.account;
    a.domain = row.account.domain;
    return a;
  }

  AccountImport conflict_row(const SoftAccountRow& row) {
    AccountImport a = start(row);
    a.outcome = ImportOutcome::conflict;
    const AccountConflict* conflict = conflict_of(file_, row.line);
    a.reason = conflict ? format_conflict(*conflict) : "the name is on several rows";
    a.reason += "; none of them is imported: edit the file and run again";
    return a;
  }

  AccountImport failed(AccountImport a, std::string reason) {
    a.outcome = ImportOutcome::failed;
    a.reason = std::move(reason);
    return a;
  }

  // The row's mail domain exists in the target, or is made now (when allowed).
  std::optional<std::string> ensure_domain(const std::string& domain) {
    if (domain.empty()) return std::nullopt;
    const std::string key = domain_key(domain);
    if (known_domains_.contains(key)) return std::nullopt;
    auto has = target_.has_domain(domain);
    if (!has) return "the mail domain " + domain + " cannot be looked up: " + has.error().message;
    if (!*has) {
      if (!options_.create_domains)
        return "the mail domain " + domain + " does not exist in the target: create it, or run with --create-domains";
      if (!options_.dry_run) {
        if (auto made = target_.create_domain(domain); !made)
          return "the mail domain " + domain + " cannot be created: " + made.error().message;
      }
      summary_.domains_created.push_back(domain);
    }
    known_domains_.insert(key);
    return std::nullopt;
  }

  AccountImport import_row(const SoftAccountRow& row) {
    AccountImport a = start(row);
    const SoftAccount& account = row.account;
    auto existing = target_.find(account.account, account.domain);
    if (!existing) return failed(std::move(a), "cannot be looked up: " + existing.error().message);

    NewAccount wanted;
    wanted.row = account;
    wanted.origin = fmt::format("{} line {}", summary_.source.empty() ? "export" : summary_.source, row.line);
    const bool file_password = !account.password.empty() && !options_.ignore_passwords;

    TargetAccount held;
    if (!*existing) {
      if (auto problem = ensure_domain(account.domain)) return failed(std::move(a), std::move(*problem));
      if (file_password) {
        wanted.password = account.password;
      } else {
        wanted.password = options_.generate_password ? options_.generate_password() : std::string();
        wanted.must_change = true;
      }
      if (wanted.password.empty()) return failed(std::move(a), "no password to set, and none can be generated");
      if (options_.dry_run) {
        if (file_password) {
          auto objection = target_.check_password(account.account, wanted.password);
          if (!objection) return failed(std::move(a), "the password policy cannot be read: " + objection.error().message);
          if (*objection) return failed(std::move(a), std::move(**objection));
        }
      } else if (auto failure = target_.create(wanted)) {
        return failed(std::move(a), describe_failure(*failure));
      }
      a.outcome = ImportOutcome::created;
      a.reason = file_password ? "with the password of the file"
                               : "with a generated password the user must change at the next logon";
      if (!file_password) a.generated_password = wanted.password;
      held.account = account.account;
      held.display_name = account.full_name;
      held.home_folder = account.home_folder;
      if (!account.domain.empty()) held.domains = {account.domain};
      held.mail_user = true;
    } else {
      held = **existing;
      if (target_matches(held, account)) {
        a.outcome = ImportOutcome::unchanged;
        a.reason = "already in the target as the file says";
      } else if (held.imported && !held.enabled) {
        return failed(std::move(a), "made by an earlier run that was cut short before its password was set (it is "
                                    "disabled): delete it in the directory and run again");
      } else if (held.imported && only_groups_missing(held, account)) {
        if (auto problem = ensure_domain(account.domain)) return failed(std::move(a), std::move(*problem));
        if (!options_.dry_run) {
          if (auto failure = target_.complete(wanted, held)) return failed(std::move(a), describe_failure(*failure));
        }
        a.outcome = ImportOutcome::completed;
        a.reason = "made by an earlier run; its groups are completed: " + describe_differences(held, account);
        held.mail_user = true;
        if (!account.domain.empty()) held.domains = {account.domain};
      } else {
        a.outcome = ImportOutcome::conflict;
        a.reason = "the target already has this account, not as the file says (" + describe_differences(held, account) +
                   "); it is left as it is";
        return a;
      }
    }
    carry_limit(a, account);
    carry_secret(a, account);
    copy_mail(a, held, account);
    return a;
  }

  void carry_limit(AccountImport& a, const SoftAccount& account) {
    if (account.mailbox_limit != 0 && !options_.mailbox_limits_kept)
      a.notes.push_back(fmt::format(
          "mailbox limit {} bytes not kept: directory.mailbox_limit_attribute is not set (store.mailbox_limit applies)",
          account.mailbox_limit));
  }

  void carry_secret(AccountImport& a, const SoftAccount& account) {
    if (!account.smtp_auth && !account.apop) return;
    if (options_.secrets == nullptr) return;  // said once for the run
    if (account.password.empty() || options_.ignore_passwords) {
      a.notes.push_back("SMTP-AUTH/APOP flag set but the file has no usable password: set one with dirmailctl secret set");
      return;
    }
    const std::string login = target_.one_namespace() || account.domain.empty()
                                  ? account.account
                                  : account.account + "@" + account.domain;
    auto key = auth::secret_login_key(login);
    if (!key) {
      a.notes.push_back("SMTP-AUTH/APOP password not kept: " + key.error().message);
      return;
    }
    if (options_.secrets->has(*key)) return;  // kept as it is: a re-run changes nothing
    if (options_.sealing_key == nullptr) {
      a.notes.push_back("SMTP-AUTH/APOP password not kept: auth.secrets_key_file is not set");
      return;
    }
    if (options_.dry_run) {
      a.secret_written = true;
      return;
    }
    options_.secrets->set(auth::SecretEntry{*key, auth::SecretScheme::sealed, options_.sealing_key->seal(*key, account.password), 0});
    if (auto saved = options_.secrets->save(); !saved) {
      options_.secrets->remove(*key);
      a.notes.push_back("SMTP-AUTH/APOP password not kept: " + saved.error().message);
      return;
    }
    a.secret_written = true;
  }

  void copy_mail(AccountImport& a, const TargetAccount& held, const SoftAccount& account) {
    if (!options_.mail_source || options_.store == nullptr || options_.journal == nullptr || !options_.mailbox_root) return;
    std::optional<std::string> mapped_home;
    if (options_.mail_source->layout == OriginalLayout::home && !account.home_folder.empty() && options_.map_home)
      mapped_home = options_.map_home(account.home_folder);
    auto source = original_mailbox_path(*options_.mail_source, account, mapped_home);
    if (!source) {
      a.notes.push_back(options_.mail_source->layout == OriginalLayout::home
                            ? "no mailbox copied: the home folder '" + account.home_folder +
                                  "' is not under any --home-map prefix"
                            : std::string("no mailbox copied: the per-domain layout has no folder for an account "
                                          "without a mail domain"));
      return;
    }
    auto mailbox = read_original_mailbox(*source);
    if (!mailbox) {
      if (mailbox.error().code == ErrorCode::not_found) {
        a.notes.push_back("no mailbox in the original (" + *source + ")");
        return;
      }
      mark_mail_failed(a, "its mailbox " + *source + " cannot be read: " + mailbox.error().message);
      return;
    }
    auto root = options_.mailbox_root(held, account);
    if (!root) {
      mark_mail_failed(a, "its dirmail mailbox cannot be placed: " + root.error().message);
      return;
    }
    a.mailbox = *root;
    MailboxCopyOptions copy_options;
    copy_options.dry_run = options_.dry_run;
    if (!options_.spool_dir.empty()) copy_options.spool_dir = options_.spool_dir;
    auto copied = copy_mailbox(*mailbox, *options_.store, *root, *options_.journal, copy_options);
    if (!copied) {
      mark_mail_failed(a, "its mailbox was not copied completely (run again to finish): " + copied.error().message);
      return;
    }
    for (const auto& skipped : mailbox->skipped) a.notes.push_back("left in the original: " + skipped);
    for (const auto& problem : copied->problems) a.notes.push_back("not copied: " + problem);
    progress_.messages += copied->copied;
    progress_.bytes += copied->bytes;
    a.mail = std::move(*copied);
  }

  // The account stays (it is in the target now); the row fails so that the
  // administrator sees it, and a re-run finishes the copy.
  void mark_mail_failed(AccountImport& a, std::string reason) {
    std::string done = a.outcome == ImportOutcome::created ? "created, but " : "";
    a.outcome = ImportOutcome::failed;
    a.reason = done + reason;
  }

  const SoftAccountFile& file_;
  AccountTarget& target_;
  const ImportOptions& options_;
  ImportSummary summary_;
  ImportProgress progress_;
  std::set<std::string> known_domains_;
};

}  // namespace

std::string_view to_string(ImportOutcome outcome) {
  switch (outcome) {
    case ImportOutcome::created: return "created";
    case ImportOutcome::completed: return "completed";
    case ImportOutcome::unchanged: return "unchanged";
    case ImportOutcome::conflict: return "conflict";
    case ImportOutcome::failed: return "failed";
    case ImportOutcome::skipped: return "skipped";
  }
  return "failed";
}

std::size_t ImportSummary::count(ImportOutcome outcome) const {
  if (outcome == ImportOutcome::skipped) return problems.size() + unlisted_problems;
  return static_cast<std::size_t>(
      std::count_if(accounts.begin(), accounts.end(), [&](const AccountImport& a) { return a.outcome == outcome; }));
}

std::size_t ImportSummary::messages_copied() const {
  std::size_t n = 0;
  for (const auto& a : accounts)
    if (a.mail) n += a.mail->copied;
  return n;
}

std::size_t ImportSummary::messages_already_there() const {
  std::size_t n = 0;
  for (const auto& a : accounts)
    if (a.mail) n += a.mail->already_there;
  return n;
}

int ImportSummary::exit_code() const {
  return count(ImportOutcome::conflict) + count(ImportOutcome::failed) + count(ImportOutcome::skipped) == 0 ? 0 : 1;
}

ImportSummary import_soft_accounts(const SoftAccountFile& file, AccountTarget& target, const ImportOptions& options) {
  return ImportRun(file, target, options).run();
}

}  // namespace dirmail::migration
