#include "dirmail/directory/ldap_directory.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/directory/ad_account_flags.hpp"
#include "dirmail/directory/directory_filters.hpp"
#include "dirmail/directory/mail_names.hpp"
#include "dirmail/directory/user_entry_mapping.hpp"

namespace dirmail::directory {
namespace {

log::LogLine dirlog() { return log::LogLine(log::service("directory"), log::Record::directory); }

// Longest login or address we look up; longer ones cannot be AD names anyway.
constexpr std::size_t max_lookup_length = 320;
// A lookup that matches more entries than this is a clash whatever the count.
constexpr std::size_t max_matches = 8;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_ci(const std::vector<std::string>& list, std::string_view value) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& x) { return iequals(x, value); });
}

// A clash or an unusable entry: a permanent answer about the data, not a DC failure.
Error data_error(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }
bool is_data_error(const Error& e) { return e.code == ErrorCode::invalid_argument; }

}  // namespace

LdapDirectory::LdapDirectory(LdapDirectoryOptions options, std::unique_ptr<DirectorySnapshot> snapshot)
    : options_(std::move(options)),
      snapshot_(std::move(snapshot)),
      pool_(options_.servers),
      logins_({options_.cache_ttl, options_.negative_cache_ttl}),
      recipients_({options_.cache_ttl, options_.negative_cache_ttl}),
      verified_(options_.verified_password_ttl),
      base_dn_(options_.base_dn) {}

LdapDirectory::~LdapDirectory() { stop(); }

void LdapDirectory::start() {
  pool_.start_probing();
  if (!refresher_.joinable()) refresher_ = std::thread([this] { refresh_loop(); });
}

void LdapDirectory::stop() {
  {
    std::lock_guard lock(refresh_mu_);
    stopping_ = true;
  }
  refresh_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  pool_.stop();
}

std::string_view LdapDirectory::backend_name() const {
  return options_.schema.kind == DirectoryKind::ad ? "ad" : "ldap";
}

Result<std::vector<std::string>> LdapDirectory::local_domains() { return options_.mail_domains; }

Result<bool> LdapDirectory::is_local_domain(std::string_view domain) {
  return contains_ci(options_.mail_domains, domain);
}

std::int64_t LdapDirectory::now_unix() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void LdapDirectory::finish(Account& account) const {
  apply_state_policy(account, options_.policies);
  account.source = AnswerSource::live;
}

// ---- live lookups --------------------------------------------------------------------

Result<std::string> LdapDirectory::base_dn(LdapConnection& connection) {
  {
    std::lock_guard lock(base_mu_);
    if (!base_dn_.empty()) return base_dn_;
  }
  auto root = connection.root_dse({"defaultNamingContext", "namingContexts"});
  if (!root) return std::move(root).error();
  std::string base = root->first("defaultNamingContext");
  if (base.empty()) base = root->first("namingContexts");
  if (base.empty())
    return make_error(ErrorCode::permission_denied,
                      connection.uri() + ": the root DSE names no naming context; set directory.base_dn");
  std::lock_guard lock(base_mu_);
  base_dn_ = base;
  return base;
}

Result<std::optional<std::string>> LdapDirectory::mail_group_dn(LdapConnection& connection, const std::string& base) {
  using Answer = std::optional<std::string>;
  if (options_.mail_users_group.empty()) return Answer();
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(base_mu_);
    if (now < group_dn_expires_) return group_dn_;
  }
  LdapSearch search;
  search.base = base;
  search.filter = group_by_name_filter(options_.schema, options_.mail_users_group);
  search.page_size = 0;
  search.max_entries = max_matches;
  auto found = connection.search(search);
  if (!found) return std::move(found).error();
  Answer dn;
  if (found->empty()) {
    dirlog().with("group", options_.mail_users_group).with("base", base)
        .error("mail users group not found: no one can use mail until it exists");
  } else {
    dn = found->front().dn;
  }
  std::lock_guard lock(base_mu_);
  group_dn_ = dn;
  group_dn_expires_ = now + std::max(options_.cache_ttl, std::chrono::seconds(30));
  return dn;
}

Result<bool> LdapDirectory::is_member(LdapConnection& connection, const std::string& base,
                                      const std::string& group_dn, const LdapEntry& user) {
  if (const auto* member_of = user.values(options_.schema.member_of_attribute)) {
    for (const auto& dn : *member_of)
      if (same_dn(dn, group_dn)) return true;
  }
  LdapSearch search;
  search.page_size = 0;
  search.max_entries = max_matches;
  if (options_.schema.kind == DirectoryKind::ad) {
    if (!options_.nested_groups) return false;
    search.base = user.dn;
    search.scope = LdapScope::base;
    search.filter = in_chain_member_filter(group_dn);
  } else {
    // Servers without a memberOf overlay, and posixGroup's memberUid.
    search.base = base;
    search.filter = group_lists_user_filter(options_.schema, options_.mail_users_group, user.dn,
                                            user.first(options_.schema.name_attribute));
  }
  auto found = connection.search(search);
  if (!found) return std::move(found).error();
  return !found->empty();
}

Result<std::optional<Account>> LdapDirectory::search_user_live(const std::string& filter, const std::string& what) {
  std::optional<Account> account;
  Status outcome = pool_.run([&](LdapConnection& connection) -> Status {
    account.reset();
    auto known_base = base_dn(connection);
    if (!known_base) return std::move(known_base).error();
    const std::string& base = *known_base;
    LdapSearch search;
    search.base = base;
    search.filter = filter;
    search.attributes = options_.schema.user_attributes(options_.with_home);
    search.page_size = 0;
    search.max_entries = max_matches;
    auto entries = connection.search(search);
    if (!entries) return std::move(entries).error();
    if (entries->empty()) return ok_status();
    if (entries->size() > 1) {
      std::string dns;
      for (const auto& e : *entries) dns += (dns.empty() ? "" : "; ") + e.dn;
      return data_error(fmt::format("{} matches {} directory entries ({}): names and addresses must be unique", what,
                                    entries->size(), dns));
    }
    const LdapEntry& entry = entries->front();
    auto group_dn = mail_group_dn(connection, base);
    if (!group_dn) return std::move(group_dn).error();
    MappingContext context;
    context.mail_domains = options_.mail_domains;
    context.now_filetime = unix_to_filetime(now_unix());
    if (*group_dn) {
      auto member = is_member(connection, base, **group_dn, entry);
      if (!member) return std::move(member).error();
      context.is_mail_user = *member;
    }
    auto mapped = map_user_entry(entry, options_.schema, context);
    if (!mapped) return data_error(mapped.error().message);
    if (mapped->domain_groups.size() > 1)
      dirlog().with("user", mapped->account.name).with("domain", mapped->account.domain)
          .warn("user is in several mail-domain groups; the first configured domain is used");
    account = std::move(mapped->account);
    return ok_status();
  });
  if (!outcome) return std::move(outcome).error();
  ++live_answers_;
  if (account) finish(*account);
  return account;
}

void LdapDirectory::remember(const Account& account) {
  if (!snapshot_) return;
  Status st = account.state == AccountState::not_mail_user ? snapshot_->remove(account.name)
                                                           : snapshot_->upsert(account, now_unix());
  if (!st) dirlog().with("error", st.error().message).warn("cannot update the directory snapshot");
}

Result<Account> LdapDirectory::find_account_live(std::string_view login) {
  if (login.empty() || login.size() > max_lookup_length)
    return make_error(ErrorCode::not_found, "no such user");
  std::string wanted = lower(login);
  std::string name = wanted;
  if (auto at = wanted.rfind('@'); at != std::string::npos && contains_ci(options_.mail_domains, wanted.substr(at + 1)))
    name = wanted.substr(0, at);
  auto found = search_user_live(user_by_login_filter(options_.schema, name, wanted), "login " + wanted);
  if (!found) return std::move(found).error();
  if (!*found) return make_error(ErrorCode::not_found, "no such user: " + wanted);
  return std::move(**found);
}

Result<Account> LdapDirectory::find_account(std::string_view login) {
  std::string key = lower(login);
  if (auto hit = logins_.get(key)) {
    if (!hit->value) return make_error(ErrorCode::not_found, "no such user: " + key);
    Account account = *hit->value;
    account.source = AnswerSource::cache;
    return account;
  }
  auto live = find_account_live(login);
  if (live) {
    logins_.put(key, *live);
    remember(*live);
    return live;
  }
  const Error& e = live.error();
  if (e.code == ErrorCode::not_found) {
    logins_.put(key, std::nullopt);
    if (snapshot_ && canonical_account_name(key)) (void)snapshot_->remove(key);
    return live;
  }
  if (is_data_error(e)) {
    dirlog().with("login", key).with("error", e.message).error("login refused: directory data");
    return live;
  }
  std::string name = key;
  if (auto at = key.rfind('@'); at != std::string::npos) name = key.substr(0, at);
  return from_snapshot_by_name(name, e);
}

Result<Recipient> LdapDirectory::resolve_recipient(std::string_view address) {
  auto parts = split_address(address);
  if (!parts) return std::move(parts).error();
  auto domain = canonical_domain(parts->domain);
  if (!domain) return std::move(domain).error();
  std::string canonical = parts->local_part + "@" + *domain;
  if (!contains_ci(options_.mail_domains, *domain)) return Recipient{RecipientKind::not_local, std::nullopt, {}};
  if (options_.mail_users_group.empty()) return Recipient{RecipientKind::unknown, std::nullopt, {}};

  if (auto hit = recipients_.get(canonical)) {
    if (!hit->value) return Recipient{RecipientKind::unknown, std::nullopt, {}};
    Recipient r = *hit->value;
    if (r.account) r.account->source = AnswerSource::cache;
    return r;
  }
  auto found = search_user_live(user_by_address_filter(options_.schema, parts->local_part, canonical),
                                "address " + canonical);
  if (!found) {
    const Error& e = found.error();
    if (is_data_error(e)) {
      // Two users claim the address: say so and keep the mail queued at the sender.
      dirlog().with("to", canonical).with("error", e.message).error("recipient is ambiguous in the directory");
      return make_error(ErrorCode::temporary_failure, e.message);
    }
    return from_snapshot_by_address(canonical, e);
  }
  Recipient r;
  if (*found) {
    Account& account = **found;
    bool named = iequals(account.name, parts->local_part);
    bool listed = contains_ci(account.addresses, canonical);
    bool in_domain = account.domain == *domain || contains_ci(account.groups, *domain);
    if (options_.strict_domain_membership && !listed && !(named && in_domain)) {
      r.kind = RecipientKind::unknown;
    } else {
      remember(account);
      r.kind = RecipientKind::account;
      r.account = std::move(account);
    }
  }
  if (r.kind == RecipientKind::unknown)
    recipients_.put(canonical, std::nullopt);
  else
    recipients_.put(canonical, r);
  return r;
}

// ---- passwords -------------------------------------------------------------------------

void LdapDirectory::set_password_check(std::unique_ptr<AccountPasswordCheck> check, bool bind_fallback) {
  password_check_ = std::move(check);
  bind_fallback_ = bind_fallback;
}

PasswordCheckAnswer LdapDirectory::bind_as_user(const Account& account, std::string_view password) {
  std::optional<UserBindResult> bind;
  std::string dn = account.dn;
  Status outcome = pool_.run([&](LdapConnection& connection) -> Status {
    auto checked = connection.check_password(dn, password);
    if (!checked) return std::move(checked).error();
    bind = std::move(*checked);
    return ok_status();
  });
  if (!outcome) return {PasswordVerdict::temporary, outcome.error().message};
  if (bind->accepted) return {PasswordVerdict::accepted, ""};
  // AD names why (52e: wrong password; 533, 701, 773, 775...: the account).
  // 532 and 773 come only with the right password.
  PasswordVerdict verdict = PasswordVerdict::refused;
  if (bind->refusal == BindRefusal::bad_credentials) verdict = PasswordVerdict::wrong_password;
  if (bind->refusal == BindRefusal::password_expired || bind->refusal == BindRefusal::must_change_password)
    verdict = PasswordVerdict::expired;
  return {verdict, std::string(to_string(bind->refusal))};
}

Result<bool> LdapDirectory::verify_password(std::string_view login, std::string_view password) {
  if (password.empty()) return false;  // an empty password would be an anonymous bind
  auto account = find_account(login);
  if (!account) {
    if (account.error().code == ErrorCode::temporary_failure) return std::move(account).error();
    return false;
  }
  const bool password_too_old =
      account->state == AccountState::password_expired || account->state == AccountState::must_change_password;
  if (account->state == AccountState::not_mail_user || (!account->may_log_in && !password_too_old)) {
    dirlog().with("user", account->name).with("state", to_string(account->state)).info("login refused by account state");
    return false;
  }
  auto offline = [&](const Error& outage) -> Result<bool> {
    if (!snapshot_ || options_.snapshot_max_staleness.count() == 0 || !account->may_log_in) return outage;
    auto found = snapshot_->find_by_name(account->name);
    if (!found || !*found || now_unix() - (*found)->seen_at > options_.snapshot_max_staleness.count()) return outage;
    auto matches = snapshot_->check_password(account->name, password);
    if (!matches) return outage;
    ++offline_logins_;
    dirlog().with("user", account->name).with("accepted", *matches ? "yes" : "no")
        .warn("password checked against the snapshot: no directory server answers");
    return *matches;
  };
  if (account->source == AnswerSource::snapshot)
    return offline(make_error(ErrorCode::temporary_failure, "no directory server answers"));

  if (verified_.contains(account->name, password) && account->may_log_in) {
    ++cached_logins_;
    return true;
  }
  std::string method = password_check_ ? std::string(password_check_->name()) : "ldap bind";
  PasswordCheckAnswer answer = password_check_ ? password_check_->check(*account, password)
                                               : bind_as_user(*account, password);
  if (answer.verdict == PasswordVerdict::temporary && password_check_ && bind_fallback_) {
    dirlog().with("user", account->name).with("method", method).with("error", answer.reason)
        .warn("password check failed temporarily; trying an LDAP bind");
    method = "ldap bind";
    answer = bind_as_user(*account, password);
  }
  // The right password of an account whose password has expired: the user must change
  // it first. Said only after the check, so a guesser learns nothing.
  if (password_too_old && !account->may_log_in && answer.verdict == PasswordVerdict::accepted)
    answer.verdict = PasswordVerdict::expired;
  switch (answer.verdict) {
    case PasswordVerdict::expired:
      dirlog().with("user", account->name).with("method", method).with("reason", answer.reason)
          .info("login refused: the password is right but has expired or must be changed");
      verified_.forget(account->name);
      return make_error(ErrorCode::permission_denied, "password expired or must be changed");
    case PasswordVerdict::temporary:
      dirlog().with("user", account->name).with("method", method).with("error", answer.reason)
          .warn("password could not be checked");
      return offline(make_error(ErrorCode::temporary_failure, answer.reason));
    case PasswordVerdict::wrong_password:
    case PasswordVerdict::refused:
      dirlog().with("user", account->name).with("method", method).with("reason", answer.reason)
          .info("directory refused the password");
      verified_.forget(account->name);
      // A password the snapshot still accepts has been changed in the directory: it
      // must stop working offline too.
      if (snapshot_ && answer.verdict == PasswordVerdict::wrong_password) {
        auto stale = snapshot_->check_password(account->name, password);
        if (stale && *stale) (void)snapshot_->forget_password(account->name);
      }
      return false;
    case PasswordVerdict::accepted:
      break;
  }
  verified_.remember(account->name, password);
  if (snapshot_) {
    Status st = snapshot_->upsert(*account, now_unix());
    if (st) st = snapshot_->remember_password(account->name, password);
    if (!st) dirlog().with("error", st.error().message).warn("cannot keep the offline password verifier");
  }
  return true;
}

// ---- the snapshot ----------------------------------------------------------------------

Result<Account> LdapDirectory::from_snapshot_by_name(const std::string& name, const Error& outage) {
  ++failed_lookups_;
  if (!snapshot_ || options_.snapshot_max_staleness.count() == 0) return outage;
  auto found = snapshot_->find_by_name(name);
  if (!found || !*found) return outage;
  std::int64_t age = now_unix() - (*found)->seen_at;
  if (age > options_.snapshot_max_staleness.count()) {
    dirlog().with("user", name).with("age_s", age).warn("snapshot entry too old to serve");
    return outage;
  }
  --failed_lookups_;
  ++stale_answers_;
  Account account = std::move((*found)->account);
  account.source = AnswerSource::snapshot;
  dirlog().with("user", name).with("age_s", age).warn("serving stale answer from the snapshot");
  return account;
}

Result<Recipient> LdapDirectory::from_snapshot_by_address(const std::string& address, const Error& outage) {
  ++failed_lookups_;
  if (!snapshot_ || options_.snapshot_max_staleness.count() == 0) return outage;
  auto found = snapshot_->find_by_address(address);
  if (!found || !*found) return outage;  // unknown to the snapshot: still only "try again"
  std::int64_t age = now_unix() - (*found)->seen_at;
  if (age > options_.snapshot_max_staleness.count()) {
    dirlog().with("to", address).with("age_s", age).warn("snapshot entry too old to serve");
    return outage;
  }
  --failed_lookups_;
  ++stale_answers_;
  Recipient r;
  r.kind = RecipientKind::account;
  r.account = std::move((*found)->account);
  r.account->source = AnswerSource::snapshot;
  dirlog().with("to", address).with("age_s", age).warn("serving stale answer from the snapshot");
  return r;
}

DirectoryCounters LdapDirectory::counters() const {
  DirectoryCounters c;
  c.live_answers = live_answers_;
  c.cache_hits = logins_.hits() + recipients_.hits();
  c.stale_answers = stale_answers_;
  c.failed_lookups = failed_lookups_;
  c.offline_logins = offline_logins_;
  c.cached_logins = cached_logins_;
  return c;
}

}  // namespace dirmail::directory
