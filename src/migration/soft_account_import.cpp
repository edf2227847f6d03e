#include "dirmail/migration/soft_account_import.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "dirmail/directory/mail_names.hpp"

namespace dirmail::migration {
namespace {

// The lines that must not be taken, for this target: with one namespace every row of a
// conflict; otherwise only rows whose name and domain repeat (name@domain is the key).
// `one_namespace` also when two domains' accounts of one name would read one mailbox
// (the original's common box: inbox\<account> for both).
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

// Whether `held` is what a run cut short leaves of this row: the attributes as the
// file says, in no mail domain group yet (create() adds the mail-users group first, the
// domain group last). A user in another domain group, or one the administrator took out
// of the mail-users group, is no such thing: that is a conflict.
bool unfinished(TargetAccount held, const SoftAccount& row) {
  if (!held.domains.empty()) return false;
  held.mail_user = true;
  if (!row.domain.empty()) held.domains = {row.domain};
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
    const bool shared_mailboxes = options_.mail_source && options_.mail_source->layout == OriginalLayout::common;
    const auto conflicts = conflicting_lines(file_, target_.one_namespace() || shared_mailboxes);
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
    if (conflict && conflict->across_domains && !target_.one_namespace())
      a.reason += " (here: the original's common box has one mailbox inbox\\" + row.account.account +
                  " for them; --layout per-domain if it kept one per domain)";
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

  // What dirmail itself could not serve, or the administrator did not allow: checked
  // before the target is asked anything.
  std::optional<std::string> refuse_row(const SoftAccount& account) {
    if (!directory::canonical_account_name(account.account))
      return "dirmail cannot serve the name " + account.account +
             ": account names are letters, digits, '.', '_' and '-' (at most 64, not starting with '.')";
    if (!account.domain.empty()) {
      auto domain = directory::canonical_domain(account.domain);
      if (!domain) return "the mail domain " + account.domain + " is no DNS name";
      if (!options_.mail_domains.empty() &&
          std::find(options_.mail_domains.begin(), options_.mail_domains.end(), *domain) == options_.mail_domains.end())
        return "the mail domain " + account.domain + " is not one of directory.mail_domains";
    }
    if (auto failure = target_.check_row(account)) return describe_failure(*failure);
    return std::nullopt;
  }

  // The password an account gets: the file's, or a generated one, kept in the
  // administrator's list before the target sees it (a run cut short loses none).
  std::optional<std::string> choose_password(NewAccount& wanted, AccountImport& a) {
    const SoftAccount& account = wanted.row;
    if (!account.password.empty() && !options_.ignore_passwords) {
      wanted.password = account.password;
      return std::nullopt;
    }
    wanted.password = options_.generate_password ? options_.generate_password() : std::string();
    wanted.must_change = true;
    if (wanted.password.empty()) return "no password to set, and none can be generated";
    a.generated_password = wanted.password;
    if (options_.dry_run) return std::nullopt;
    if (!options_.keep_generated_password) return "a generated password would be lost: give --passwords-out";
    if (auto kept = options_.keep_generated_password(account, wanted.password); !kept)
      return "the generated password cannot be kept, so the account is not made: " + kept.error().message;
    return std::nullopt;
  }

  std::optional<std::string> check_password_in_dry_run(const NewAccount& wanted) {
    if (!options_.dry_run || wanted.must_change) return std::nullopt;
    auto objection = target_.check_password(wanted.row.account, wanted.password);
    if (!objection) return "the password policy cannot be read: " + objection.error().message;
    if (*objection) return std::move(**objection);
    return std::nullopt;
  }

  AccountImport import_row(const SoftAccountRow& row) {
    AccountImport a = start(row);
    const SoftAccount& account = row.account;
    if (auto refused = refuse_row(account)) return failed(std::move(a), std::move(*refused));
    auto existing = target_.find(account.account, account.domain);
    if (!existing) return failed(std::move(a), "cannot be looked up: " + existing.error().message);

    NewAccount wanted;
    wanted.row = account;
    wanted.origin = fmt::format("{} line {}", summary_.source.empty() ? "export" : summary_.source, row.line);

    TargetAccount held;
    if (!*existing) {
      if (auto problem = ensure_domain(account.domain)) return failed(std::move(a), std::move(*problem));
      if (auto problem = choose_password(wanted, a)) return failed(std::move(a), std::move(*problem));
      if (auto problem = check_password_in_dry_run(wanted)) return failed(std::move(a), std::move(*problem));
      if (!options_.dry_run) {
        if (auto failure = target_.create(wanted)) {
          a.generated_password.reset();
          return failed(std::move(a), describe_failure(*failure) +
                                          (wanted.must_change ? " (its line in --passwords-out is not in use)" : ""));
        }
      }
      a.outcome = ImportOutcome::created;
      a.reason = wanted.must_change ? "with a generated password the user must change at the next logon"
                                    : "with the password of the file";
      held.account = account.account;
      held.display_name = account.full_name;
      held.home_folder = account.home_folder;
      if (!account.domain.empty()) held.domains = {account.domain};
      held.mail_user = true;
    } else {
      held = **existing;
      if (held.domains.size() > 1)
        a.notes.push_back("in more than one mail domain group (" + fmt::format("{}", fmt::join(held.domains, ", ")) +
                          "): dirmail takes the first");
      if (target_matches(held, account) && held.enabled) {
        a.outcome = ImportOutcome::unchanged;
        a.reason = "already in the target as the file says";
      } else if (held.imported && unfinished(held, account)) {
        // A run cut short: the user was made (perhaps still disabled, before its
        // password) but its groups are not all there.
        if (auto problem = ensure_domain(account.domain)) return failed(std::move(a), std::move(*problem));
        if (!held.enabled) {
          if (auto problem = choose_password(wanted, a)) return failed(std::move(a), std::move(*problem));
          if (auto problem = check_password_in_dry_run(wanted)) return failed(std::move(a), std::move(*problem));
        }
        if (!options_.dry_run) {
          if (auto failure = target_.complete(wanted, held)) {
            a.generated_password.reset();
            return failed(std::move(a), describe_failure(*failure));
          }
        }
        a.outcome = ImportOutcome::completed;
        a.reason = "made by an earlier run that was cut short; now finished (" + describe_differences(held, account) +
                   (held.enabled ? ")" : "; its password set and the account enabled)");
        held.mail_user = true;
        held.enabled = true;
        if (!account.domain.empty()) held.domains = {account.domain};
      } else {
        a.outcome = ImportOutcome::conflict;
        a.reason = "the target already has this account, not as the file says (" + describe_differences(held, account) +
                   (held.enabled ? "" : "; disabled") + "); it is left as it is";
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
    // Read again before each change: `dirmailctl secret set` may have changed it since.
    auto fresh = auth::SecretsFileEdit::load(options_.secrets->path());
    if (!fresh) {
      a.notes.push_back("SMTP-AUTH/APOP password not kept: " + fresh.error().message);
      return;
    }
    *options_.secrets = std::move(*fresh);
    if (options_.secrets->has(*key)) return;  // kept as it is: a re-run changes nothing
    if (options_.dry_run) {
      a.secret_written = true;
      return;
    }
    if (options_.sealing_key == nullptr) {
      a.notes.push_back("SMTP-AUTH/APOP password not kept: auth.secrets_key_file is not set");
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
    a.mail_problems = mailbox->skipped.size() + copied->problems.size();
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

std::size_t ImportSummary::mail_problems() const {
  std::size_t n = 0;
  for (const auto& a : accounts) n += a.mail_problems;
  return n;
}

int ImportSummary::exit_code() const {
  return count(ImportOutcome::conflict) + count(ImportOutcome::failed) + count(ImportOutcome::skipped) +
                     mail_problems() ==
                 0
             ? 0
             : 1;
}

ImportSummary import_soft_accounts(const SoftAccountFile& file, AccountTarget& target, const ImportOptions& options) {
  return ImportRun(file, target, options).run();
}

}  // namespace dirmail::migration
