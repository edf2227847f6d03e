#include "uidvalidity_counter.hpp"

#include <algorithm>
#include <ctime>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "file_bytes.hpp"

namespace dirmail::store {

Result<std::uint32_t> next_uidvalidity(FileSystem& fs, const std::string& mailbox_root, std::uint32_t above) {
  std::string path = posix::join_path(mailbox_root, kUidvalidityFileName);
  auto lock = fs.lock(path);
  if (!lock) return std::move(lock).error();
  auto file = fs.open(path, OpenMode::read_write_create);
  if (!file) return std::move(file).error();
  auto text = read_bytes(**file, 0, 32);
  if (!text) return std::move(text).error();
  // A damaged counter reads as 0: the clock still keeps new values above old ones.
  auto last = parse_decimal(trim(*text), 10).value_or(0);
  if (last >= UINT32_MAX) last = 0;

  std::uint64_t value = static_cast<std::uint64_t>(std::time(nullptr));
  value = std::max<std::uint64_t>({value, last + 1, std::uint64_t{above} + 1});
  if (value >= UINT32_MAX) value = 1;  // past 2106, or a counter run out: start over
  std::string line = std::to_string(value) + "\n";
  DIRMAIL_TRY((*file)->write_at(0, line));
  DIRMAIL_TRY((*file)->truncate(line.size()));
  DIRMAIL_TRY((*file)->sync());
  return static_cast<std::uint32_t>(value);
}

}  // namespace dirmail::store
