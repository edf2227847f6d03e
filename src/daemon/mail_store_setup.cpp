#include "mail_store_setup.hpp"

#include "dirmail/store/file_mail_store.hpp"
#include "dirmail/store/posix_mail_store.hpp"
#include "dirmail/store/unc_path.hpp"
#include "dirmail/store_settings/storage_from_settings.hpp"

namespace dirmail {

Result<std::unique_ptr<store::MailStore>> make_mail_store(const config::Settings& s,
                                                          const store::MailboxLocation& mailboxes,
                                                          const std::string& node,
                                                          std::shared_ptr<store::FileSystem>* share) {
  store::FileMailStoreOptions options;
  options.host_name = node;
  if (s.store_backend != "smb") return std::unique_ptr<store::MailStore>(std::make_unique<store::PosixMailStore>(options));

  auto opened = store_settings::share_file_system(s);
  if (!opened) return std::move(opened).error();
  std::shared_ptr<store::FileSystem> shared = std::move(*opened);
  // The share must answer now: a store that cannot be reached at start is refused, so
  // mail is never written to a folder nobody else sees.
  if (auto reached = store::make_directories(*shared, mailboxes.base_dir); !reached)
    return make_error(reached.error().code, "the mail share " + store::unc_of(mailboxes.base_dir) +
                                                " cannot be used: " + reached.error().message);
  if (share) *share = shared;
  return std::unique_ptr<store::MailStore>(std::make_unique<store::FileMailStore>(std::move(shared), options));
}

}  // namespace dirmail
