#include "log_report.hpp"

#include <algorithm>

namespace dirmail::ctl {
namespace {

std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 == address.size()) return {};
  std::string domain(address.substr(at + 1));
  std::transform(domain.begin(), domain.end(), domain.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return domain;
}

std::uint64_t number(const std::string* text) {
  if (!text || text->empty() || text->size() > 19) return 0;
  std::uint64_t n = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

void tally_receive(DayFigures& day, const log::LogRecord& r) {
  ++day.received;
  day.received_bytes += number(r.find("size"));
  const std::string* from = r.find("from");
  std::string sender = from && !from->empty() ? *from : "<>";
  count_name(day.senders, sender);
  if (auto d = domain_of(sender); !d.empty()) count_name(day.sender_domains, d);
  for (auto to : r.all("to")) {
    ++day.received_recipients;
    count_name(day.recipients, to);
    if (auto d = domain_of(to); !d.empty()) count_name(day.recipient_domains, d);
  }
  if (const std::string* user = r.find("user")) count_name(day.users_sent, *user);
}

// A recipient's failure is an "undeliverable" line (local_delivery.cpp): the reason
// after "undeliverable: ", or its reason= field. Other failure lines are about the
// queue or a delivery that went on (a mail loop deferred, a limit not checked), not a
// recipient given up.
void tally_failure(DayFigures& day, const log::LogRecord& r) {
  constexpr std::string_view undeliverable = "undeliverable";
  if (!r.msg.starts_with(undeliverable) || !r.find("to")) return;
  std::string reason;
  if (r.msg.size() > undeliverable.size() + 2 && r.msg.compare(undeliverable.size(), 2, ": ") == 0) {
    reason = r.msg.substr(undeliverable.size() + 2);
  } else if (const std::string* why = r.find("reason")) {
    reason = *why;
  }
  if (reason.empty()) reason = "(none given)";
  ++day.failed;
  count_name(day.failures_by_reason, reason);
}

// auth lines: a login is "AUTH ok" (smtp, submission) or "login" (pop3, imap: written
// once the session is in, also after Kerberos, whose "principal accepted" line comes
// first); a refusal is "... failed: WHY" or "... refused: WHY" at warning. Others
// (mailbox in use, bad mailbox path) are not counted.
void tally_auth(DayFigures& day, const log::LogRecord& r) {
  if (r.level == "info") {
    if (r.msg == "AUTH ok" || r.msg == "login") ++day.auth_ok;
    return;
  }
  for (std::string_view word : {std::string_view("failed: "), std::string_view("refused: ")}) {
    auto at = r.msg.find(word);
    if (at == std::string::npos) continue;
    ++day.auth_failed;
    count_name(day.auth_failures_by_reason, r.msg.substr(at + word.size()));
    return;
  }
}

}  // namespace

void tally_record(LogReport& report, const log::LogRecord& r) {
  DayFigures& day = report.days[std::string(r.date())];
  if (r.type == "receive") tally_receive(day, r);
  else if (r.type == "send" && (!r.find("outcome") || *r.find("outcome") == "delivered")) ++day.delivered_remote;
  else if (r.type == "sender" && r.msg == "delivered") {
    ++day.delivered_local;
    if (const std::string* user = r.find("user")) count_name(day.users_delivered, *user);
  } else if (r.type == "failure") tally_failure(day, r);
  else if (r.type == "auth") tally_auth(day, r);
}

void count_name(NameCounts& counts, std::string_view name) {
  auto it = counts.find(std::string(name));
  if (it != counts.end()) {
    ++it->second;
  } else if (counts.size() < max_names_per_table) {
    counts.emplace(std::string(name), 1);
  } else {
    ++counts[std::string(other_names)];
  }
}

std::vector<std::pair<std::string, std::uint64_t>> top_counts(const NameCounts& counts, std::size_t n) {
  std::vector<std::pair<std::string, std::uint64_t>> all(counts.begin(), counts.end());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (all.size() > n) all.resize(n);
  return all;
}

}  // namespace dirmail::ctl
