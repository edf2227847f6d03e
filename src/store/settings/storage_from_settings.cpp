#include "dirmail/store_settings/storage_from_settings.hpp"

#include "dirmail/base/libsmbclient_mutex.hpp"
#include "dirmail/base/log.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/time.hpp"
#include "dirmail/base/windows_path_map.hpp"
#include "dirmail/directory/keytab_ticket_cache.hpp"
#include "dirmail/store/smb_file_system.hpp"
#include "dirmail/store/smb_logon_choice.hpp"

namespace dirmail::store_settings {
namespace {

log::LogLine store_log() { return log::LogLine(log::service("daemon"), log::Record::daemon); }

std::string time_text(std::chrono::system_clock::time_point t) {
  return rfc5322_date(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

// The Kerberos logon: a ticket from the keytab now (no ticket, no start), renewed at half
// its lifetime just before a call that comes after that.
Status use_kerberos(const config::Settings& s, const store::SmbLogonChoice& choice, std::string_view cache_file,
                    store::SmbFileSystemOptions& smb) {
  directory::KeytabTicketCacheOptions options;
  options.keytab = choice.keytab;
  options.principal = choice.principal;
  options.cache_file = posix::join_path(s.server_data_dir, cache_file);
  options.context = "store.smb_logon (Kerberos logon to the mail share)";
  auto acquired = directory::KeytabTicketCache::acquire(options);
  if (!acquired) return std::move(acquired).error();
  std::shared_ptr<directory::KeytabTicketCache> ticket(std::move(*acquired));
  store_log().with("principal", ticket->principal()).with("expires", time_text(ticket->expires()))
      .info("the mail share is reached with a Kerberos ticket from the keytab");
  smb.kerberos_cache = ticket->cache_name();
  smb.kerberos_principal = ticket->principal();
  // The pool owns this function and so the ticket: the cache file goes with the store.
  smb.refresh_kerberos_ticket = [ticket] {
    auto renewed = ticket->refresh_if_due(libsmbclient_mutex());
    if (!renewed) {
      store_log().with("error", renewed.error().message).with("expires", time_text(ticket->expires()))
          .warn("renewing the Kerberos ticket for the mail share failed; the current one is used until it "
                "expires, and the renewal is tried again in a minute");
      return false;
    }
    if (*renewed) store_log().with("principal", ticket->principal()).with("expires", time_text(ticket->expires()))
                      .info("renewed the Kerberos ticket for the mail share");
    return *renewed;
  };
  return ok_status();
}

}  // namespace

bool cluster_store(const config::Settings& s) { return !s.cluster_virtual_ip.empty(); }

std::string cluster_lease_folder(const store::MailboxLocation& mailboxes) {
  return posix::join_path(mailboxes.base_dir, ".dirmail-cluster");
}

Result<store::MailboxLocation> mailbox_location(const config::Settings& s) {
  return store::MailboxLocation::make(s.store_mailbox_path, s.store_root, s.server_data_dir, s.store_path_map,
                                      s.store_backend == "smb");
}

Result<std::shared_ptr<store::FileSystem>> share_file_system(const config::Settings& s, std::string_view ticket_cache) {
  if (s.store_backend != "smb") return std::shared_ptr<store::FileSystem>();
  auto logon = store::choose_smb_logon(
      {s.store_smb_logon, s.store_smb_credentials_file, s.directory_keytab, s.directory_principal});
  if (!logon) return std::move(logon).error();
  store::SmbFileSystemOptions smb;
  if (logon->kerberos) {
    DIRMAIL_TRY(use_kerberos(s, *logon, ticket_cache, smb));
  } else {
    smb.credentials_file = logon->credentials_file;
  }
  smb.contexts = static_cast<std::size_t>(s.store_smb_connections);
  smb.timeout = std::chrono::milliseconds(s.store_smb_timeout);
  smb.lock_directory = posix::join_path(s.server_data_dir, "smb-locks");
  auto fs = store::SmbFileSystem::open(smb);
  if (!fs) return std::move(fs).error();
  return std::shared_ptr<store::FileSystem>(std::move(*fs));
}

namespace {

// queue.dir resolved: a local folder, or an "smb://" URL.
Result<std::string> queue_folder(const config::Settings& s, const store::MailboxLocation& mailboxes) {
  const std::string& dir = s.queue_dir;
  if (dir.empty()) return make_error(ErrorCode::invalid_argument, "queue.dir is empty");
  if (!is_unc_path(dir) && !is_drive_path(dir) && !dir.starts_with("smb://")) return dir;
  return mailboxes.resolve_windows_path(dir, "queue.dir");  // a mounted folder, or the share
}

std::string share_queue_local_dir(const config::Settings& s) { return posix::join_path(s.server_data_dir, "queue-local"); }

}  // namespace

Result<std::string> queue_local_dir(const config::Settings& s) {
  auto mailboxes = mailbox_location(s);
  if (!mailboxes) return std::move(mailboxes).error();
  auto folder = queue_folder(s, *mailboxes);
  if (!folder) return std::move(folder).error();
  return folder->starts_with("smb://") || cluster_store(s) ? share_queue_local_dir(s) : *folder;
}

Result<queue::QueueLocation> queue_location(const config::Settings& s, const store::MailboxLocation& mailboxes,
                                            std::shared_ptr<store::FileSystem> share) {
  auto folder = queue_folder(s, mailboxes);
  if (!folder) return std::move(folder).error();
  if (!folder->starts_with("smb://")) {
    auto local = queue::local_queue(*folder);
    // Both nodes of a pair see the folder: what is this node's own stays on it.
    if (cluster_store(s)) local.local_dir = share_queue_local_dir(s);
    return local;
  }
  if (!share)
    return make_error(ErrorCode::invalid_argument, "queue.dir " + s.queue_dir + " is on a share: set store.backend = smb");
  return queue::QueueLocation{std::move(share), std::move(*folder), share_queue_local_dir(s)};
}

}  // namespace dirmail::store_settings
