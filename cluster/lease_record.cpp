#include "dirmail/cluster/lease_record.hpp"

#include <functional>
#include <tuple>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::cluster {
namespace {

Result<std::uint64_t> number(std::string_view key, std::string_view value) {
  auto n = parse_decimal(value, 19);
  if (!n) return make_error(ErrorCode::invalid_argument, fmt::format("lease record: {} is not a number", key));
  return *n;
}

}  // namespace

Status check_node_name(std::string_view node) {
  if (node.empty() || node.size() > kMaxNodeNameBytes)
    return make_error(ErrorCode::invalid_argument, "a cluster node name has 1 to 64 characters");
  for (char c : node)
    if (c <= ' ' || c > '~')
      return make_error(ErrorCode::invalid_argument, "a cluster node name is printable ASCII without blanks");
  return ok_status();
}

std::string format_lease_record(const LeaseRecord& r) {
  std::string text = fmt::format("epoch {}\nholder {}\npid {}\nboot {}\nlease_time {}\nsequence {}\nrenewed {}\nstate {}\n",
                                 r.epoch, r.holder, r.pid, r.boot, r.lease_time_ms, r.sequence, r.renewed_ms,
                                 r.released ? "released" : "held");
  text.resize(kLeaseRecordBytes, ' ');
  text.back() = '\n';
  return text;
}

Result<LeaseRecord> parse_lease_record(std::string_view text) {
  if (text.size() > kLeaseRecordBytes) return make_error(ErrorCode::invalid_argument, "lease record too long");
  LeaseRecord r;
  unsigned seen = 0;  // one bit per key
  for (auto raw : split(text, '\n')) {
    auto line = trim(raw);
    if (line.empty()) continue;
    auto blank = line.find(' ');
    if (blank == std::string_view::npos) return make_error(ErrorCode::invalid_argument, "lease record: a line without a value");
    auto key = line.substr(0, blank);
    auto value = line.substr(blank + 1);
    unsigned bit = 0;
    if (key == "holder") {
      DIRMAIL_TRY(check_node_name(value));
      r.holder = std::string(value);
      bit = 2;
    } else if (key == "boot") {
      // A boot id is a UUID; any name that reads back is accepted ("-": unknown).
      if (!check_node_name(value)) return make_error(ErrorCode::invalid_argument, "lease record: bad boot id");
      r.boot = std::string(value);
      bit = 64;
    } else if (key == "state") {
      if (value != "held" && value != "released")
        return make_error(ErrorCode::invalid_argument, "lease record: state is neither held nor released");
      r.released = value == "released";
      bit = 32;
    } else {
      // The numeric keys, each with its bit and where it goes.
      const std::tuple<std::string_view, unsigned, std::function<void(std::uint64_t)>> numbers[] = {
          {"epoch", 1, [&](std::uint64_t n) { r.epoch = n; }},
          {"pid", 4, [&](std::uint64_t n) { r.pid = static_cast<std::int64_t>(n); }},
          {"sequence", 8, [&](std::uint64_t n) { r.sequence = n; }},
          {"renewed", 16, [&](std::uint64_t n) { r.renewed_ms = static_cast<std::int64_t>(n); }},
          {"lease_time", 128, [&](std::uint64_t n) { r.lease_time_ms = static_cast<std::int64_t>(n); }}};
      for (const auto& [name, name_bit, store] : numbers) {
        if (key != name) continue;
        auto n = number(key, value);
        if (!n) return std::move(n).error();
        store(*n);
        bit = name_bit;
      }
      if (bit == 0) return make_error(ErrorCode::invalid_argument, "lease record: unknown key");
    }
    if (seen & bit) return make_error(ErrorCode::invalid_argument, "lease record: a key given twice");
    seen |= bit;
  }
  if (seen != 255) return make_error(ErrorCode::invalid_argument, "lease record: incomplete");
  if (r.epoch == 0) return make_error(ErrorCode::invalid_argument, "lease record: epoch 0");
  return r;
}

}  // namespace dirmail::cluster
