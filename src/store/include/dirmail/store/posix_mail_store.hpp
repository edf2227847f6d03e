#pragma once
// The MailStore on local disks and mounted shares: FileMailStore over PosixFileSystem.
#include "dirmail/store/file_mail_store.hpp"

namespace dirmail::store {

using PosixMailStoreOptions = FileMailStoreOptions;

class PosixMailStore final : public FileMailStore {
 public:
  explicit PosixMailStore(PosixMailStoreOptions options = {});
};

}  // namespace dirmail::store
