#include "mail_store_setup.hpp"

#include "dirmail/base/posix_file.hpp"
#include "dirmail/store/file_mail_store.hpp"
#include "dirmail/store/posix_mail_store.hpp"
#include "dirmail/store/smb_file_system.hpp"
#include "dirmail/store/unc_path.hpp"

namespace dirmail {

Result<std::unique_ptr<store::MailStore>> make_mail_store(const config::Settings& s,
                                                          const store::MailboxLocation& mailboxes,
                                                          const std::string& node) {
  store::FileMailStoreOptions options;
  options.host_name = node;
  if (s.store_backend != "smb") return std::unique_ptr<store::MailStore>(std::make_unique<store::PosixMailStore>(options));

  if (s.store_smb_credentials_file.empty())
    return make_error(ErrorCode::invalid_argument,
                      "store.backend = smb needs store.smb_credentials_file (a Kerberos logon to the store's share "
                      "is not available yet)");
  store::SmbFileSystemOptions smb;
  smb.credentials_file = s.store_smb_credentials_file;
  smb.contexts = static_cast<std::size_t>(s.store_smb_connections);
  smb.lock_directory = posix::join_path(s.server_data_dir, "smb-locks");
  auto fs = store::SmbFileSystem::open(smb);
  if (!fs) return std::move(fs).error();
  std::shared_ptr<store::FileSystem> shared(std::move(*fs));
  // The share must answer now: a store that cannot be reached at start is refused, so
  // mail is never written to a folder nobody else sees.
  if (auto reached = store::make_directories(*shared, mailboxes.base_dir); !reached)
    return make_error(reached.error().code, "the mail share " + store::unc_of(mailboxes.base_dir) +
                                                " cannot be used: " + reached.error().message);
  return std::unique_ptr<store::MailStore>(std::make_unique<store::FileMailStore>(std::move(shared), options));
}

}  // namespace dirmail
