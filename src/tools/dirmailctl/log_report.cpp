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
  ++day.senders[sender];
  if (auto d = domain_of(sender); !d.empty()) ++day.sender_domains[d];
  for (auto to : r.all("to")) {
    ++day.received_recipients;
    ++day.recipients[std::string(to)];
    if (auto d = domain_of(to); !d.empty()) ++day.recipient_domains[d];
  }
  if (const std::string* user = r.find("user")) ++day.users_sent[*user];
}

// failure lines that name a recipient (to=) or a remote domain (the mail loop) and why;
// the ones about the queue itself (cannot record, delivery report queued) are not a
// recipient's failure.
void tally_failure(DayFigures& day, const log::LogRecord& r) {
  if ((!r.find("to") && !r.find("domain")) || r.find("report_id")) return;
  const std::string* why = r.find("reason");
  if (!why) why = r.find("error");
  std::string reason;
  constexpr std::string_view undeliverable = "undeliverable: ";
  if (r.msg.starts_with(undeliverable)) reason = r.msg.substr(undeliverable.size());
  else if (r.msg == "undeliverable" && why) reason = *why;
  else reason = r.msg.empty() && why ? *why : r.msg;
  if (reason.empty()) reason = "(none given)";
  ++day.failed;
  ++day.failures_by_reason[reason];
}

// auth lines: "AUTH ok", "login", "Kerberos principal accepted" at info; "... failed: WHY"
// and "... refused: WHY" at warning. Others (mailbox in use, bad mailbox path) come after
// the check and are not counted as logins.
void tally_auth(DayFigures& day, const log::LogRecord& r) {
  if (r.level == "info") {
    ++day.auth_ok;
    return;
  }
  for (std::string_view word : {std::string_view("failed: "), std::string_view("refused: ")}) {
    auto at = r.msg.find(word);
    if (at == std::string::npos) continue;
    ++day.auth_failed;
    ++day.auth_failures_by_reason[r.msg.substr(at + word.size())];
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
    if (const std::string* user = r.find("user")) ++day.users_delivered[*user];
  } else if (r.type == "failure") tally_failure(day, r);
  else if (r.type == "auth") tally_auth(day, r);
}

std::vector<std::pair<std::string, std::uint64_t>> top_counts(const NameCounts& counts, std::size_t n) {
  std::vector<std::pair<std::string, std::uint64_t>> all(counts.begin(), counts.end());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (all.size() > n) all.resize(n);
  return all;
}

}  // namespace dirmail::ctl
