#include "import_report.hpp"

#include <cstdint>

#include <boost/json.hpp>
#include <fmt/format.h>

namespace dirmail::import_tool {
namespace {

using migration::AccountImport;
using migration::ImportOutcome;
using migration::ImportSummary;

std::string address_of(const AccountImport& a) { return a.domain.empty() ? a.account : a.account + "@" + a.domain; }

std::string mail_column(const AccountImport& a, bool dry_run) {
  if (!a.mail) return "-";
  std::string text = fmt::format("{} {}", a.mail->copied, dry_run ? "to copy" : "copied");
  if (a.mail->already_there > 0) text += fmt::format(", {} there", a.mail->already_there);
  return text;
}

std::string outcome_word(ImportOutcome outcome, bool dry_run) {
  if (!dry_run) return std::string(migration::to_string(outcome));
  switch (outcome) {
    case ImportOutcome::created: return "would create";
    case ImportOutcome::completed: return "would complete";
    case ImportOutcome::failed: return "would fail";
    default: return std::string(migration::to_string(outcome));
  }
}

std::uint64_t bytes_copied(const ImportSummary& s) {
  std::uint64_t n = 0;
  for (const auto& a : s.accounts)
    if (a.mail) n += a.mail->bytes;
  return n;
}

}  // namespace

std::string format_totals(const ImportSummary& s) {
  std::string text = fmt::format(
      "{} rows: {} {}, {} {}, {} unchanged, {} conflicts, {} {}, {} skipped (unreadable); {} messages {} ({:.1f} MB), {} "
      "already there",
      s.accounts.size() + s.count(ImportOutcome::skipped), s.count(ImportOutcome::created),
      s.dry_run ? "to create" : "created", s.count(ImportOutcome::completed), s.dry_run ? "to complete" : "completed",
      s.count(ImportOutcome::unchanged), s.count(ImportOutcome::conflict), s.count(ImportOutcome::failed),
      s.dry_run ? "would fail" : "failed", s.count(ImportOutcome::skipped), s.messages_copied(),
      s.dry_run ? "to copy" : "copied", static_cast<double>(bytes_copied(s)) / 1e6, s.messages_already_there());
  if (s.mail_problems() > 0)
    text += fmt::format("; {} files of the original's mailboxes left behind (see the notes)", s.mail_problems());
  if (!s.domains_created.empty())
    text += fmt::format("; {} mail domains {}", s.domains_created.size(), s.dry_run ? "to create" : "created");
  return text;
}

std::string format_text_report(const ImportSummary& s) {
  std::string out;
  out += fmt::format("dirmail-import: {} ({}; {}) into {}\n", s.source, migration::to_string(s.encoding.encoding),
                     s.encoding.reason, s.target);
  if (s.dry_run) out += "DRY RUN: nothing was changed; the outcomes say what a real run would do.\n";
  for (const auto& note : s.notes) out += "note: " + note + "\n";
  for (const auto& domain : s.domains_created)
    out += fmt::format("mail domain {}: {}\n", domain, s.dry_run ? "would be created" : "created");
  out += "\n";
  // Accounts and unreadable rows together, in file order.
  auto problem = s.problems.begin();
  auto skipped_until = [&](std::size_t line) {
    for (; problem != s.problems.end() && problem->line < line; ++problem)
      out += fmt::format("line {:>5}  {:<14} {}\n", problem->line, "skipped", problem->reason);
  };
  for (const auto& a : s.accounts) {
    skipped_until(a.line);
    out += fmt::format("line {:>5}  {:<14} {:<40} {:<24} {}\n", a.line, outcome_word(a.outcome, s.dry_run),
                       address_of(a), mail_column(a, s.dry_run), a.reason);
    if (a.secret_written)
      out += fmt::format("{:>13}SMTP-AUTH/APOP password {} auth.secrets_file\n", "",
                         s.dry_run ? "would go to" : "put in");
    for (const auto& note : a.notes) out += fmt::format("{:>13}{}\n", "", note);
  }
  skipped_until(SIZE_MAX);
  if (s.unlisted_problems > 0) out += fmt::format("... and {} more unreadable rows\n", s.unlisted_problems);
  out += "\n" + format_totals(s) + "\n";
  return out;
}

std::string format_json_report(const ImportSummary& s) {
  boost::json::object root;
  root["dry_run"] = s.dry_run;
  root["source"] = s.source;
  root["encoding"] = std::string(migration::to_string(s.encoding.encoding));
  root["target"] = s.target;
  boost::json::array notes;
  for (const auto& n : s.notes) notes.emplace_back(n);
  root["notes"] = std::move(notes);
  boost::json::array domains;
  for (const auto& d : s.domains_created) domains.emplace_back(d);
  root["domains_created"] = std::move(domains);
  boost::json::array accounts;
  for (const auto& a : s.accounts) {
    boost::json::object o;
    o["line"] = a.line;
    o["account"] = a.account;
    o["domain"] = a.domain;
    o["outcome"] = std::string(migration::to_string(a.outcome));
    o["reason"] = a.reason;
    boost::json::array account_notes;
    for (const auto& n : a.notes) account_notes.emplace_back(n);
    o["notes"] = std::move(account_notes);
    o["secret_written"] = a.secret_written;
    o["generated_password"] = a.generated_password.has_value();
    if (!a.mailbox.empty()) o["mailbox"] = a.mailbox;
    if (a.mail) {
      o["messages_copied"] = a.mail->copied;
      o["messages_already_there"] = a.mail->already_there;
      o["bytes_copied"] = a.mail->bytes;
      o["user_files"] = a.mail->user_files;
    }
    accounts.emplace_back(std::move(o));
  }
  root["accounts"] = std::move(accounts);
  boost::json::array skipped;
  for (const auto& p : s.problems) {
    boost::json::object o;
    o["line"] = p.line;
    o["kind"] = std::string(migration::to_string(p.kind));
    o["reason"] = p.reason;
    skipped.emplace_back(std::move(o));
  }
  root["skipped"] = std::move(skipped);
  boost::json::object totals;
  for (auto outcome : {ImportOutcome::created, ImportOutcome::completed, ImportOutcome::unchanged,
                       ImportOutcome::conflict, ImportOutcome::failed, ImportOutcome::skipped})
    totals[std::string(migration::to_string(outcome))] = s.count(outcome);
  totals["messages_copied"] = s.messages_copied();
  totals["messages_already_there"] = s.messages_already_there();
  totals["mail_problems"] = s.mail_problems();
  root["totals"] = std::move(totals);
  return boost::json::serialize(root) + "\n";
}

}  // namespace dirmail::import_tool
