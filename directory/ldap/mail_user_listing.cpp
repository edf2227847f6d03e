// LdapDirectory: the whole list of mail users (paged), the snapshot refresh that
// stores it, and the status file dirmailctl reads.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/directory/ad_account_flags.hpp"
#include "dirmail/directory/directory_filters.hpp"
#include "dirmail/directory/ldap_directory.hpp"
#include "dirmail/directory/user_entry_mapping.hpp"

namespace dirmail::directory {
namespace {

log::LogLine dirlog() { return log::LogLine(log::service("directory"), log::Record::directory); }

constexpr std::size_t max_mail_users = 1000000;
constexpr std::size_t member_uid_batch = 100;
constexpr std::chrono::seconds status_interval{5};

}  // namespace

Result<std::vector<Account>> LdapDirectory::list_mail_users() {
  std::vector<LdapEntry> entries;
  Status outcome = pool_.run([&](LdapConnection& connection) -> Status {
    entries.clear();
    auto known_base = base_dn(connection);
    if (!known_base) return std::move(known_base).error();
    const std::string& base = *known_base;
    auto group_dn = mail_group_dn(connection, base);
    if (!group_dn) return std::move(group_dn).error();
    if (!*group_dn) return ok_status();
    LdapSearch search;
    search.base = base;
    search.filter = mail_users_filter(options_.schema, **group_dn, options_.nested_groups);
    search.attributes = options_.schema.user_attributes(options_.with_home);
    search.max_entries = max_mail_users;
    auto found = connection.search(search);
    if (!found) return std::move(found).error();
    entries = std::move(*found);
    if (options_.schema.group_member_uid_attribute.empty()) return ok_status();
    // posixGroup: members named by memberUid, which no memberOf shows.
    LdapSearch group;
    group.base = base;
    group.filter = group_by_name_filter(options_.schema, options_.mail_users_group);
    group.attributes = {options_.schema.group_member_uid_attribute};
    group.page_size = 0;
    auto groups = connection.search(group);
    if (!groups) return std::move(groups).error();
    std::vector<std::string> uids;
    for (const auto& g : *groups)
      if (const auto* v = g.values(options_.schema.group_member_uid_attribute)) uids.insert(uids.end(), v->begin(), v->end());
    for (std::size_t i = 0; i < uids.size(); i += member_uid_batch) {
      std::string any = "(|";
      for (std::size_t j = i; j < uids.size() && j < i + member_uid_batch; ++j)
        any += user_by_login_filter(options_.schema, uids[j], uids[j]);
      any += ")";
      LdapSearch users = search;
      users.filter = any;
      auto more = connection.search(users);
      if (!more) return std::move(more).error();
      for (auto& e : *more) entries.push_back(std::move(e));
    }
    return ok_status();
  });
  if (!outcome) return std::move(outcome).error();

  MappingContext context;
  context.mail_domains = options_.mail_domains;
  context.is_mail_user = true;
  context.now_filetime = unix_to_filetime(now_unix());
  std::vector<Account> accounts;
  std::size_t unusable = 0;
  for (const auto& entry : entries) {
    auto mapped = map_user_entry(entry, options_.schema, context);
    if (!mapped) {
      ++unusable;
      continue;
    }
    finish(mapped->account);
    accounts.push_back(std::move(mapped->account));
  }
  std::sort(accounts.begin(), accounts.end(), [](const Account& a, const Account& b) { return a.name < b.name; });
  accounts.erase(std::unique(accounts.begin(), accounts.end(),
                             [](const Account& a, const Account& b) { return a.name == b.name; }),
                 accounts.end());
  if (unusable > 0)
    dirlog().with("entries", static_cast<std::uint64_t>(unusable)).warn("mail users whose names cannot name a mailbox folder are left out");
  return accounts;
}

Status LdapDirectory::refresh_snapshot() {
  if (options_.on_lockout_policy && options_.schema.kind == DirectoryKind::ad) {
    std::string base;
    {
      std::lock_guard lock(base_mu_);
      base = base_dn_;
    }
    auto policy = read_domain_lockout_policy(pool_, base);
    if (policy)
      options_.on_lockout_policy(*policy);
    else
      dirlog().with("error", policy.error().message).warn("cannot read the domain's lockout policy");
  }
  if (!snapshot_) return ok_status();
  auto users = list_mail_users();
  if (!users) return std::move(users).error();
  DIRMAIL_TRY(snapshot_->replace_all(*users, options_.mail_domains, now_unix()));
  dirlog().with("users", static_cast<std::uint64_t>(users->size())).info("directory snapshot refreshed");
  return ok_status();
}

void LdapDirectory::refresh_loop() {
  auto next_refresh = std::chrono::steady_clock::now();
  for (;;) {
    if (std::chrono::steady_clock::now() >= next_refresh) {
      if (Status st = refresh_snapshot(); !st) {
        dirlog().with("error", st.error().message).warn("directory snapshot not refreshed; the previous one stays");
        // Try again sooner than a full period, but not in a tight loop.
        next_refresh = std::chrono::steady_clock::now() + std::min(options_.snapshot_refresh, std::chrono::seconds(30));
      } else {
        next_refresh = std::chrono::steady_clock::now() + options_.snapshot_refresh;
      }
    }
    write_status_file();
    std::unique_lock lock(refresh_mu_);
    if (refresh_cv_.wait_for(lock, status_interval, [this] { return stopping_; })) return;
  }
}

std::string LdapDirectory::status_report() const {
  std::string out = fmt::format("backend {}\n", backend_name());
  {
    std::lock_guard lock(base_mu_);
    out += fmt::format("base_dn {}\n", base_dn_.empty() ? "(not yet known)" : base_dn_);
  }
  for (const auto& dc : pool_.status()) {
    out += fmt::format("dc {} state={} active={} preferred={} latency_ms={} for_s={} requests={} failures={}",
                       dc.uri, dc.healthy ? "healthy" : "failed", dc.active ? "yes" : "no",
                       dc.preferred ? "yes" : "no", dc.last_latency.count(), dc.state_age.count(), dc.requests,
                       dc.failures);
    if (!dc.last_error.empty()) out += " last_error=" + escape_control(dc.last_error);
    out += "\n";
  }
  auto c = counters();
  out += fmt::format(
      "live_answers {}\ncache_hits {}\nstale_answers {}\nfailed_lookups {}\noffline_logins {}\ncached_logins {}\n",
      c.live_answers, c.cache_hits, c.stale_answers, c.failed_lookups, c.offline_logins, c.cached_logins);
  if (snapshot_) {
    std::int64_t taken = snapshot_->taken_at();
    out += fmt::format("snapshot_users {}\nsnapshot_age_s {}\n", snapshot_->size(),
                       taken == 0 ? std::string("never") : std::to_string(now_unix() - taken));
  } else {
    out += "snapshot none\n";
  }
  return out;
}

void LdapDirectory::write_status_file() const {
  if (options_.status_file.empty()) return;
  std::string text = status_report();
  std::string tmp = options_.status_file + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (ok) std::rename(tmp.c_str(), options_.status_file.c_str());
}

}  // namespace dirmail::directory
