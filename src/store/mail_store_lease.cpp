// FileMailStore's maildrop lease: "holder HOLDER\nexpires UNIX\n" in <root>/dirmail.lease,
// read and replaced (replace_file: write, sync, rename) under the root's lock, so that
// two sessions sharing the store never both hold it (on smb: two sessions of one node;
// see FileSystem::lock).
#include <fmt/format.h>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"
#include "dirmail/store/file_mail_store.hpp"
#include "folder_lock.hpp"
#include "mailbox_layout.hpp"

namespace dirmail::store {
namespace {

constexpr std::size_t kMaxHolderBytes = 200;
constexpr std::size_t kMaxLeaseFileBytes = 512;

struct Lease {
  std::string holder;
  std::int64_t expires = 0;
};

Status check_holder(std::string_view holder) {
  if (holder.empty() || holder.size() > kMaxHolderBytes)
    return make_error(ErrorCode::invalid_argument, "lease holder must have 1 to 200 characters");
  for (char c : holder)
    if (c <= ' ' || c > '~') return make_error(ErrorCode::invalid_argument, "lease holder must be printable ASCII without spaces");
  return ok_status();
}

// A damaged file (a torn write cannot happen: it is renamed into place) counts as no
// lease. A replace cut short on smb leaves the lease readable (see replace_file).
std::optional<Lease> parse_lease(std::string_view text) {
  Lease lease;
  for (auto line : split(text, '\n')) {
    if (line.starts_with("holder ")) lease.holder = std::string(line.substr(7));
    if (line.starts_with("expires ")) {
      auto n = parse_decimal(line.substr(8), 19);
      if (!n) return std::nullopt;
      lease.expires = static_cast<std::int64_t>(*n);
    }
  }
  if (!check_holder(lease.holder) || lease.expires == 0) return std::nullopt;
  return lease;
}

Result<std::optional<Lease>> read_lease(FileSystem& fs, const std::string& mailbox_root) {
  auto text = read_small_file(fs, posix::join_path(mailbox_root, kLeaseFileName), kMaxLeaseFileBytes);
  if (!text) return std::move(text).error();
  if (!*text) return std::optional<Lease>();
  return parse_lease(**text);
}

}  // namespace

Status FileMailStore::acquire_lease(const std::string& mailbox_root, std::string_view holder, std::int64_t expires,
                                     const std::function<bool(std::string_view holder)>& stale) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  DIRMAIL_TRY(check_holder(holder));
  DIRMAIL_TRY(ensure_directory(*fs_, mailbox_root));
  auto root_lock = FolderLock::acquire(*fs_, mailbox_root);
  if (!root_lock) return std::move(root_lock).error();
  auto current = read_lease(*fs_, mailbox_root);
  if (!current) return std::move(current).error();
  if (*current && (*current)->holder != holder && (*current)->expires > unix_now() &&
      !(stale && stale((*current)->holder)))
    return make_error(ErrorCode::already_exists, "the mailbox is leased to " + (*current)->holder);
  return replace_file(*fs_, posix::join_path(mailbox_root, kLeaseFileName),
                      fmt::format("holder {}\nexpires {}\n", holder, expires));
}

Status FileMailStore::release_lease(const std::string& mailbox_root, std::string_view holder) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  DIRMAIL_TRY(check_holder(holder));
  auto root_lock = FolderLock::acquire(*fs_, mailbox_root);
  if (!root_lock && root_lock.error().code == ErrorCode::not_found) return ok_status();  // no mailbox
  if (!root_lock) return std::move(root_lock).error();
  auto current = read_lease(*fs_, mailbox_root);
  if (!current) return std::move(current).error();
  if (!*current || (*current)->holder != holder) return ok_status();
  const std::string path = posix::join_path(mailbox_root, kLeaseFileName);
  if (auto removed = fs_->remove(path); !removed && removed.error().code != ErrorCode::not_found) return removed;
  return fs_->sync_directory(mailbox_root);
}

}  // namespace dirmail::store
