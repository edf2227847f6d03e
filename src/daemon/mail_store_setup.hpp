#pragma once
// The file system dirmaild's mail store and queue write through, as store.backend says:
// posix (a local folder or a mounted share), or smb (shares reached with libsmbclient).
// An smb store that cannot reach its share at start is an error: dirmaild never falls
// back to a local folder. On a cluster node (cluster.virtual_ip set) every write goes
// through the store lease's fence (cluster/store_lease.hpp).
#include <memory>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/cluster/store_lease.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/store/file_system.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail {

struct StoreFiles {
  std::shared_ptr<store::FileSystem> fs;       // the store's file system, fenced on a cluster node
  std::shared_ptr<store::FileSystem> share;    // smb: the share's own file system (for a queue there); else null
  std::shared_ptr<cluster::StoreLease> lease;  // a cluster node's lease (not armed yet); else null
};

Result<StoreFiles> open_store_files(const config::Settings& s, const store::MailboxLocation& mailboxes,
                                    const std::string& node);

}  // namespace dirmail
