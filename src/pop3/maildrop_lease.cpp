#include "dirmail/pop3/maildrop_lease.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "dirmail/base/process.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"

namespace dirmail::pop3 {
namespace {

// A part of the holder name: printable, no spaces or '/', bounded.
std::string safe_part(std::string_view text, std::string_view fallback) {
  std::string out;
  for (char c : text.substr(0, 64)) out += (c > ' ' && c <= '~' && c != '/') ? c : '_';
  return out.empty() ? std::string(fallback) : out;
}

}  // namespace

MaildropLease::MaildropLease(store::MailStore& store, std::string mailbox_root, std::string_view node,
                             std::string_view session, std::chrono::seconds ttl,
                             const std::atomic<bool>* sole_writer)
    : store_(store),
      root_(std::move(mailbox_root)),
      node_(safe_part(node, "node")),
      holder_(holder_name(node, static_cast<long>(::getpid()), session)),
      ttl_(ttl),
      sole_writer_(sole_writer) {}

std::string MaildropLease::holder_name(std::string_view node, long pid, std::string_view session) {
  return fmt::format("{}/{}/{}", safe_part(node, "node"), pid, safe_part(session, "session"));
}

bool MaildropLease::stale_holder(std::string_view holder, std::string_view node, long own_pid,
                                 bool other_nodes_fenced) {
  auto parts = split(holder, '/');
  if (parts.size() != 3) return false;
  if (parts[0] != safe_part(node, "node")) return other_nodes_fenced;
  auto pid = parse_decimal(parts[1], 10);
  if (!pid || *pid == 0) return false;
  if (static_cast<long>(*pid) == own_pid) return true;
  return !process_runs(static_cast<long>(*pid));
}

Status MaildropLease::acquire() {
  const long own = static_cast<long>(::getpid());
  const bool fenced = sole_writer_ && sole_writer_->load();
  auto stale = [this, own, fenced](std::string_view holder) { return stale_holder(holder, node_, own, fenced); };
  auto st = store_.acquire_lease(root_, holder_, unix_now() + ttl_.count(), stale);
  if (st) renewed_ = std::chrono::steady_clock::now();
  return st;
}

bool MaildropLease::renewal_due() const { return std::chrono::steady_clock::now() - renewed_ >= ttl_ / 3; }

Status MaildropLease::renew_if_due() {
  if (!renewal_due()) return ok_status();
  return acquire();
}

Status MaildropLease::release() { return store_.release_lease(root_, holder_); }

}  // namespace dirmail::pop3
