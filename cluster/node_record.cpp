#include "dirmail/cluster/node_record.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "dirmail/cluster/lease_record.hpp"

namespace dirmail::cluster {
namespace {

constexpr std::string_view kStates[] = {"standby", "acquiring", "active", "fenced"};

std::map<std::string, std::string> by_name(const std::vector<std::string>& lines) {
  std::map<std::string, std::string> out;
  for (const auto& line : lines) {
    auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    out[line.substr(0, eq)] = line.substr(eq + 3);
  }
  return out;
}

}  // namespace

std::string format_node_record(const NodeRecord& r) {
  std::string text = fmt::format("node {}\nstate {}\nepoch {}\npid {}\nupdated {}\n", r.node, r.state, r.epoch, r.pid,
                                 r.updated_ms);
  for (const auto& s : r.settings) {
    // A value with a line break would start a line of its own: the table's values never
    // have one, but the record must read back whatever it holds.
    text += "setting " + replace_all(s, "\n", " ") + "\n";
  }
  return text;
}

Result<NodeRecord> parse_node_record(std::string_view text) {
  if (text.size() > kMaxNodeRecordBytes) return make_error(ErrorCode::invalid_argument, "node record too long");
  NodeRecord r;
  unsigned seen = 0;
  auto invalid = [](std::string_view why) { return make_error(ErrorCode::invalid_argument, "node record: " + std::string(why)); };
  for (auto line : split(text, '\n')) {
    if (line.empty()) continue;
    auto blank = line.find(' ');
    if (blank == std::string_view::npos) return invalid("a line without a value");
    auto key = line.substr(0, blank);
    auto value = line.substr(blank + 1);
    unsigned bit = 0;
    if (key == "setting") {
      if (value.find(" = ") == std::string_view::npos || value.find('\r') != std::string_view::npos)
        return invalid("a setting line without \" = \"");
      r.settings.emplace_back(value);
      continue;
    }
    if (key == "node") {
      DIRMAIL_TRY(check_node_name(value));
      r.node = std::string(value);
      bit = 1;
    } else if (key == "state") {
      bool known = false;
      for (auto s : kStates) known = known || s == value;
      if (!known) return invalid("unknown state");
      r.state = std::string(value);
      bit = 2;
    } else if (key == "epoch" || key == "pid" || key == "updated") {
      auto n = parse_decimal(value, 19);
      if (!n) return invalid(std::string(key) + " is not a number");
      if (key == "epoch") r.epoch = *n, bit = 4;
      if (key == "pid") r.pid = static_cast<std::int64_t>(*n), bit = 8;
      if (key == "updated") r.updated_ms = static_cast<std::int64_t>(*n), bit = 16;
    } else {
      return invalid("unknown key");
    }
    if (seen & bit) return invalid("a key given twice");
    seen |= bit;
  }
  if (seen != 31) return invalid("incomplete");
  return r;
}

std::vector<std::string> setting_differences(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto left = by_name(a);
  auto right = by_name(b);
  std::vector<std::string> out;
  for (const auto& [name, value] : left) {
    auto other = right.find(name);
    if (other == right.end()) out.push_back(fmt::format("{}: {} | (not set)", name, value));
    else if (other->second != value) out.push_back(fmt::format("{}: {} | {}", name, value, other->second));
  }
  for (const auto& [name, value] : right)
    if (!left.count(name)) out.push_back(fmt::format("{}: (not set) | {}", name, value));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace dirmail::cluster
