#pragma once
// The POP3 maildrop's exclusive access (RFC 1939 §8) across every process and node
// that shares the store: the store's lease (MailStore::acquire_lease), named for one
// session ("NODE/PID/SESSION"), renewed while the session lives and released at its
// end. A lease left by a process that died on this node is taken over at once; one
// left by another node runs out after its time (the session's idle limit and a
// minute), as that node's session would have ended by then, or at once when this node
// holds the cluster's store lease (the other node is fenced: its sessions cannot write).
// Blocking (store calls): run acquire(), renew_if_due() and release() on the pool.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::pop3 {

class MaildropLease {
 public:
  // `sole_writer`: true while this node holds the cluster's store lease (null: no cluster).
  MaildropLease(store::MailStore& store, std::string mailbox_root, std::string_view node, std::string_view session,
                std::chrono::seconds ttl, const std::atomic<bool>* sole_writer = nullptr);

  // already_exists (naming the holder) while another session has the maildrop.
  Status acquire();
  // Renews once a third of the lease has passed. Not ok when it could not: the
  // session goes on (a crash, not a lost renewal, is what the lease guards against).
  Status renew_if_due();
  bool renewal_due() const;
  Status release();

  // "NODE/PID/SESSION" with the node name made safe for the store (no spaces).
  static std::string holder_name(std::string_view node, long pid, std::string_view session);
  // Whether `holder` is a session of a process on `node` that is gone: this process
  // (whose own live sessions are excluded in memory first) or a pid that no longer runs;
  // or, with `other_nodes_fenced`, a session of another node.
  static bool stale_holder(std::string_view holder, std::string_view node, long own_pid,
                           bool other_nodes_fenced = false);

 private:
  store::MailStore& store_;
  std::string root_;
  std::string node_;
  std::string holder_;
  std::chrono::seconds ttl_;
  const std::atomic<bool>* sole_writer_;
  std::chrono::steady_clock::time_point renewed_{};
};

}  // namespace dirmail::pop3
