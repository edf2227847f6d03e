#pragma once
// dirmailctl log report's figures: what the structured logs say about each UTC day
// (received, delivered, failed, who sent and received, logins refused), tallied from
// the records log.hpp writes (see docs/admin-guide.md §5 for the record types).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dirmail/base/log_record.hpp"

namespace dirmail::ctl {

using NameCounts = std::map<std::string, std::uint64_t>;

// Distinct names kept per table and day; past it new names count under other_names, so
// hostile logs (a harvest attack: one failure reason per address) cannot fill memory.
inline constexpr std::size_t max_names_per_table = 100'000;
inline constexpr std::string_view other_names = "(other names)";
// One more for `name` in `counts`, within max_names_per_table.
void count_name(NameCounts& counts, std::string_view name);

struct DayFigures {
  std::uint64_t received = 0;        // receive: messages queued
  std::uint64_t received_bytes = 0;  // their size=
  std::uint64_t received_recipients = 0;
  std::uint64_t delivered_local = 0;   // sender "delivered": a copy stored in a mailbox
  std::uint64_t delivered_remote = 0;  // send: a copy taken by a remote domain's host
  std::uint64_t failed = 0;            // failure: a recipient that cannot be delivered
  NameCounts failures_by_reason;
  std::uint64_t auth_ok = 0;
  std::uint64_t auth_failed = 0;
  NameCounts auth_failures_by_reason;
  NameCounts senders;            // receive from= ("<>" for bounces)
  NameCounts recipients;         // receive to=
  NameCounts sender_domains;
  NameCounts recipient_domains;
  NameCounts users_sent;         // receive user=: messages sent by a logged-in user
  NameCounts users_delivered;    // sender "delivered" user=: messages stored for a user
};

struct LogReport {
  std::map<std::string, DayFigures> days;  // YYYY-MM-DD (UTC)
  std::uint64_t files = 0;
  std::uint64_t lines = 0;
  std::uint64_t records = 0;          // parsed lines inside the period
  std::uint64_t skipped = 0;          // damaged lines, skipped
  NameCounts skipped_by_reason;
};

// Adds one record to its day's figures.
void tally_record(LogReport& report, const log::LogRecord& record);

// The largest `n` counts, largest first (ties by name).
std::vector<std::pair<std::string, std::uint64_t>> top_counts(const NameCounts& counts, std::size_t n);

}  // namespace dirmail::ctl
