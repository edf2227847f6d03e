#pragma once
// Brings a folder's index back in line with its files after a crash or outside
// changes: a file in cur/ that the index does not know (crash between the rename and
// the index append, or a restored backup) is adopted with a new UID; an index entry
// whose file is gone is expunged; files dropped into new/ move to cur/ and are adopted.
#include <cstdint>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/store/file_system.hpp"
#include "dirmail/store/index_record.hpp"
#include "index_state.hpp"

namespace dirmail::store {

struct FolderRepair {
  std::vector<IndexRecord> records;  // to append to the index, in order
  std::size_t adopted = 0;
  std::size_t dropped = 0;
};

// Requires the folder lock. Moves new/ files into cur/ (and syncs both) but leaves the
// index to the caller.
Result<FolderRepair> plan_folder_repair(FileSystem& fs, const std::string& folder_dir, const IndexState& state);

// Removes files in tmp/ older than `max_age_seconds`: deliveries that died before the
// rename never finish.
void remove_stale_tmp_files(FileSystem& fs, const std::string& folder_dir, std::int64_t max_age_seconds);

}  // namespace dirmail::store
