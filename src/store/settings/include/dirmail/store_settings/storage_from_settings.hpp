#pragma once
// Where dirmail keeps mail, from the settings: the mailbox location (store.mailbox_path,
// store.root, store.path_map), the SMB share file system when store.backend = smb, and
// the queue's location (queue.dir: a local folder, or a UNC path on the same kind of
// share as the mailboxes, so that a standby node takes over the queue with the store).
#include <memory>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/queue/queue_location.hpp"
#include "dirmail/store/file_system.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail::store_settings {

Result<store::MailboxLocation> mailbox_location(const config::Settings& s);

// Whether the store and the queue are shared by the two nodes of an active/standby pair
// (cluster.virtual_ip is set): writes then need the store lease, and the queue's
// node-local folder is <server.data_dir>/queue-local even for a local queue.dir.
bool cluster_store(const config::Settings& s);
// The store lease's folder (cluster/store_lease.hpp): beside the mailboxes, under a
// name no mailbox path can take (a leading dot).
std::string cluster_lease_folder(const store::MailboxLocation& mailboxes);

// The SMB file system of store.backend = smb (nullptr for posix), logged on as
// store.smb_logon says. It does not connect: the first call does. With Kerberos the
// ticket is got now (none, no file system) into <server.data_dir>/`ticket_cache`
// (private, removed with the file system) and renewed at half its lifetime: each
// process needs a cache of its own (dirmaild's is the default).
Result<std::shared_ptr<store::FileSystem>> share_file_system(const config::Settings& s,
                                                              std::string_view ticket_cache = "smb-store.ccache");

// The node-local folder of the queue (its pid file, locks and claims), found from the
// settings alone without reaching any share: queue.dir for a local queue outside a
// cluster.
Result<std::string> queue_local_dir(const config::Settings& s);

// queue.dir as a QueueLocation. A UNC queue.dir (\\nas\mail\queue) goes through
// store.path_map like a mailbox path: a mounted folder, or with store.backend = smb the
// share itself through `share` (from share_file_system); its node-local folder is
// <server.data_dir>/queue-local.
Result<queue::QueueLocation> queue_location(const config::Settings& s, const store::MailboxLocation& mailboxes,
                                            std::shared_ptr<store::FileSystem> share);

}  // namespace dirmail::store_settings
