#pragma once
// The Group Policy dirmaild last applied, kept in a file of server.data_dir so that it
// survives a restart (and a DC or SYSVOL that cannot be reached at the start), and so
// that `dirmailctl policy show` can show what the daemon applies.
//
// The file keeps each GPO's name and its Registry.pol bytes as read from SYSVOL, in
// application order; the settings are worked out from them again with the same code
// (read_registry_pol, read_gpo_settings, merge_gpo_settings), so the file never holds
// a value that was not checked like a setting. Format (written with
// write_private_file, mode 0600):
//   "dirmail-group-policy 1\n" then per GPO "<name bytes> <file bytes>\n<name><file>".
#include <span>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/config/policy_merge.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {

// One GPO as fetched: its display name and its Machine\Registry.pol ("" when it has none).
struct FetchedGpo {
  std::string name;
  std::string registry_pol;

  bool operator==(const FetchedGpo&) const = default;
};

// server.data_dir/group-policy.state
std::string policy_state_file(const Settings& settings);

Status save_policy_state(const std::string& path, std::span<const FetchedGpo> gpos);
// not_found when there is no file (no policy applied yet); invalid_argument, naming the
// file, when it is damaged.
Result<std::vector<FetchedGpo>> load_policy_state(const std::string& path);

// The policy `gpos` (lowest precedence first) give. A GPO whose Registry.pol does not
// read is an error naming the GPO: a damaged file is refused whole.
Result<MergedPolicy> policy_of(std::span<const FetchedGpo> gpos);

}  // namespace dirmail::config
