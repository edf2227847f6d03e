// FileMailStore's subscriptions (LSUB): the names, one per line, in
// <root>/dirmail.subscriptions, replaced whole (replace_file: write, sync, rename) under
// the root's lock.
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/store/file_mail_store.hpp"
#include "dirmail/store/folder_names.hpp"
#include "folder_lock.hpp"
#include "mailbox_layout.hpp"

namespace dirmail::store {

Result<std::vector<std::string>> FileMailStore::subscriptions(const std::string& mailbox_root) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  auto text = read_small_file(*fs_, posix::join_path(mailbox_root, kSubscriptionsFileName), kMaxSubscriptionsBytes);
  if (!text) return std::move(text).error();
  std::vector<std::string> names;
  if (!*text) return names;
  for (auto line : split(**text, '\n')) {
    if (line.empty() || !canonical_folder_name(line)) continue;  // damaged: not a name we wrote
    names.emplace_back(line);
  }
  return names;
}

Status FileMailStore::set_subscriptions(const std::string& mailbox_root, const std::vector<std::string>& names) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  std::string text;
  for (const auto& name : names) {
    DIRMAIL_TRY(canonical_folder_name(name));  // one line each: no control characters
    text += name;
    text += '\n';
  }
  if (text.size() > kMaxSubscriptionsBytes)
    return make_error(ErrorCode::limit_exceeded, "too many subscriptions (" + std::to_string(text.size()) + " bytes)");
  DIRMAIL_TRY(ensure_directory(*fs_, mailbox_root));
  // One writer at a time: the last one's list is the one kept.
  auto root_lock = FolderLock::acquire(*fs_, mailbox_root);
  if (!root_lock) return std::move(root_lock).error();
  return replace_file(*fs_, posix::join_path(mailbox_root, kSubscriptionsFileName), text);
}

}  // namespace dirmail::store
