// PosixMailStore's subscriptions (LSUB): the names, one per line, in
// <root>/dirmail.subscriptions, replaced whole (write, sync, rename) under the root's lock.
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/private_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/store/folder_names.hpp"
#include "dirmail/store/posix_mail_store.hpp"
#include "folder_lock.hpp"
#include "mailbox_layout.hpp"

namespace dirmail::store {

Result<std::vector<std::string>> PosixMailStore::subscriptions(const std::string& mailbox_root) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  auto text = read_small_file(posix::join_path(mailbox_root, kSubscriptionsFileName), kMaxSubscriptionsBytes);
  if (!text) return std::move(text).error();
  std::vector<std::string> names;
  if (!*text) return names;
  for (auto line : split(**text, '\n')) {
    if (line.empty() || !canonical_folder_name(line)) continue;  // damaged: not a name we wrote
    names.emplace_back(line);
  }
  return names;
}

Status PosixMailStore::set_subscriptions(const std::string& mailbox_root, const std::vector<std::string>& names) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  std::string text;
  for (const auto& name : names) {
    DIRMAIL_TRY(canonical_folder_name(name));  // one line each: no control characters
    text += name;
    text += '\n';
  }
  if (text.size() > kMaxSubscriptionsBytes)
    return make_error(ErrorCode::limit_exceeded, "too many subscriptions (" + std::to_string(text.size()) + " bytes)");
  DIRMAIL_TRY(posix::ensure_directory(mailbox_root));
  // Two writers would share a temporary file name (write_private_file's): one at a time.
  auto root_lock = FolderLock::acquire(mailbox_root);
  if (!root_lock) return std::move(root_lock).error();
  return posix::write_private_file(posix::join_path(mailbox_root, kSubscriptionsFileName), text);
}

}  // namespace dirmail::store
