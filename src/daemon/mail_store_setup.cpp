#include "mail_store_setup.hpp"

#include "dirmail/store/posix_file_system.hpp"
#include "dirmail/store/unc_path.hpp"
#include "dirmail/store/write_fence.hpp"
#include "dirmail/store_settings/storage_from_settings.hpp"

namespace dirmail {

Result<StoreFiles> open_store_files(const config::Settings& s, const store::MailboxLocation& mailboxes,
                                    const std::string& node) {
  StoreFiles files;
  if (s.store_backend == "smb") {
    auto opened = store_settings::share_file_system(s);
    if (!opened) return std::move(opened).error();
    files.share = std::move(*opened);
    // The share must answer now: a store that cannot be reached at start is refused, so
    // mail is never written to a folder nobody else sees.
    if (auto reached = store::make_directories(*files.share, mailboxes.base_dir); !reached)
      return make_error(reached.error().code, "the mail share " + store::unc_of(mailboxes.base_dir) +
                                                  " cannot be used: " + reached.error().message);
    files.fs = files.share;
  } else {
    files.fs = std::make_shared<store::PosixFileSystem>();
  }
  if (!store_settings::cluster_store(s)) return files;
  cluster::StoreLeaseOptions options;
  options.fs = files.fs;
  options.dir = store_settings::cluster_lease_folder(mailboxes);
  options.node = node;
  options.lease_time = std::chrono::seconds(s.cluster_lease_time);
  auto lease = cluster::StoreLease::open(std::move(options));
  if (!lease) return make_error(lease.error().code, "the store lease in " + store_settings::cluster_lease_folder(mailboxes) + ": " +
                                                        lease.error().message);
  files.lease = std::move(*lease);
  files.fs = store::fenced_file_system(files.fs, files.lease);
  return files;
}

}  // namespace dirmail
