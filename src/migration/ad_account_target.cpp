// AdAccountTarget: the importer's Active Directory target over one administrator's
// LDAP connection (ad_account_target.hpp). What it writes and how it reads a user
// back are in ad_target_entries.cpp; password rules in ad_password.cpp.
#include "dirmail/migration/ad_account_target.hpp"

#include <algorithm>

#include "ad_password.hpp"
#include "ad_target_entries.hpp"
#include "ad_write_failure.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/directory/directory_filters.hpp"
#include "dirmail/directory/directory_schema.hpp"
#include "dirmail/directory/ldap_dn.hpp"
#include "dirmail/directory/ldap_filter.hpp"

namespace dirmail::migration {
namespace {

using directory::LdapConnection;
using directory::LdapEntry;
using directory::LdapModification;
using directory::LdapSearch;
using directory::LdapWriteResult;

constexpr std::size_t max_mail_users = 1000000;
constexpr std::size_t max_domain_groups = 100000;
constexpr int ldap_type_or_value_exists = 20;
constexpr int ldap_already_exists = 68;

// Every mail domain group has a dot in its name: the server narrows the search to those.
constexpr std::string_view dotted_group_filter = "(&(objectClass=group)(sAMAccountName=*.*))";

// Adding a member that is one already: AD answers entryAlreadyExists, others
// attributeOrValueExists. Either way the membership is there.
bool already_member(const LdapWriteResult& write) {
  return write.result_code() == ldap_already_exists || write.result_code() == ldap_type_or_value_exists;
}

class AdAccountTarget final : public AccountTarget {
 public:
  AdAccountTarget(std::unique_ptr<LdapConnection> connection, AdTargetLayout layout, AdPasswordPolicy policy)
      : connection_(std::move(connection)), layout_(std::move(layout)), policy_(policy) {}

  std::string description() const override {
    return "Active Directory " + connection_->uri() + " (" + layout_.user_container + ")";
  }
  bool one_namespace() const override { return true; }

  Result<std::optional<TargetAccount>> find(std::string_view account, std::string_view) override {
    auto entry = user_entry(account);
    if (!entry) return std::move(entry).error();
    if (!*entry) return std::optional<TargetAccount>{};
    auto groups = domain_groups(user_groups_filter((*entry)->dn));
    if (!groups) return std::move(groups).error();
    return std::optional<TargetAccount>(target_account_from_entry(**entry, layout_, *groups));
  }

  // A name that cannot be a mail domain, or a group of that name the importer may not
  // put users in, is an error rather than "no": create_domain could not make it either.
  Result<bool> has_domain(std::string_view domain) override {
    auto dn = find_domain_group(domain);
    if (!dn) return std::move(dn).error();
    return dn->has_value();
  }

  Result<void> create_domain(std::string_view domain) override {
    if (auto problem = domain_group_name_problem(domain))
      return make_error(ErrorCode::invalid_argument, "mail domain group not created: " + *problem);
    auto added = connection_->add_entry(domain_group_dn(domain, layout_), domain_group_attributes(domain));
    if (!added) return std::move(added).error();
    return {};
  }

  std::optional<TargetFailure> check_row(const SoftAccount& row) const override {
    if (auto problem = ad_row_problem(row)) return TargetFailure{TargetFailureKind::refused, *problem};
    return std::nullopt;
  }

  std::optional<TargetFailure> create(const NewAccount& account) override;
  std::optional<TargetFailure> complete(const NewAccount& account, const TargetAccount& existing) override;

  // The spec's message, as create() would give it; the reason is for tests and logs
  // (password_policy_objection).
  Result<std::optional<std::string>> check_password(std::string_view account, std::string_view password) override {
    if (password.empty()) return std::optional<std::string>("the password is empty");
    if (password_policy_objection(policy_, account, password))
      return std::optional<std::string>(std::string(password_policy_message));
    return std::optional<std::string>{};
  }

  Result<std::vector<SoftAccount>> list() override;

 private:
  std::string user_filter(std::string_view account) const {
    auto schema = directory::DirectorySchema::active_directory();
    return "(&" + schema.user_filter + "(sAMAccountName=" + directory::escape_filter_value(account) + "))";
  }
  static std::string user_groups_filter(std::string_view user_dn) {
    return "(&(objectClass=group)(member=" + directory::escape_filter_value(user_dn) +
           ")(sAMAccountName=*.*))";
  }

  Result<std::optional<LdapEntry>> user_entry(std::string_view account) {
    LdapSearch search;
    search.base = layout_.base_dn;
    search.filter = user_filter(account);
    search.attributes = user_attributes(layout_);
    search.page_size = 0;
    search.max_entries = 2;
    auto found = connection_->search(search);
    if (!found) return std::move(found).error();
    if (found->empty()) return std::optional<LdapEntry>{};
    return std::optional<LdapEntry>(std::move(found->front()));
  }

  // The DN of the mail domain's group, or nullopt when there is none. The row's domain
  // chooses the group a user joins, so the name must be a mail domain's and the group
  // one that grants nothing (mail_domain_group_problem): never a builtin one.
  Result<std::optional<std::string>> find_domain_group(std::string_view domain) {
    if (auto problem = domain_group_name_problem(domain)) return make_error(ErrorCode::invalid_argument, *problem);
    LdapSearch search;
    search.base = layout_.base_dn;
    search.filter = directory::group_by_name_filter(directory::DirectorySchema::active_directory(), domain);
    search.attributes = domain_group_lookup_attributes();
    search.page_size = 0;
    search.max_entries = 2;
    auto found = connection_->search(search);
    if (!found) return std::move(found).error();
    if (found->empty()) return std::optional<std::string>{};
    if (auto problem = mail_domain_group_problem(found->front(), domain))
      return make_error(ErrorCode::invalid_argument, *problem);
    return std::optional<std::string>(found->front().dn);
  }

  // The domain group a user is to join, or the refusal: a missing group is one.
  std::optional<TargetFailure> domain_group_for(std::string_view domain, std::string& dn) {
    auto found = find_domain_group(domain);
    if (!found) return target_failure_of(found.error());
    if (!*found)
      return TargetFailure{TargetFailureKind::refused,
                           "the mail domain group \"" + escape_control(domain) + "\" does not exist"};
    dn = std::move(**found);
    return std::nullopt;
  }

  // Sets the password of a user left disabled (514) and enables it (512); must_change:
  // pwdLastSet 0, so that the user chooses one at the next logon. unicodePwd is
  // write-only and taken only over an encrypted connection; a password the domain's
  // policy refuses is password_policy (target_failure_of).
  std::optional<TargetFailure> set_first_password(const std::string& user_dn, const NewAccount& account) {
    auto password = unicode_pwd_value(account.password);
    if (account.password.empty() || !password)
      return TargetFailure{TargetFailureKind::refused, "the password is empty or not valid UTF-8"};
    auto set = connection_->modify_entry(user_dn, {{LdapModification::Kind::replace, "unicodePwd", {*password}}});
    if (!set) return target_failure_of(set);
    std::vector<LdapModification> enable = {
        {LdapModification::Kind::replace, "userAccountControl", {std::to_string(uac_normal_account)}}};
    if (account.must_change) enable.push_back({LdapModification::Kind::replace, "pwdLastSet", {"0"}});
    if (auto enabled = connection_->modify_entry(user_dn, enable); !enabled) return target_failure_of(enabled);
    return std::nullopt;
  }

  // The mail domain groups the filter finds (groups with a dotted name), less the
  // mail-users group, by DN key.
  Result<DomainGroups> domain_groups(std::string filter) {
    LdapSearch search;
    search.base = layout_.base_dn;
    search.filter = std::move(filter);
    search.attributes = {"sAMAccountName"};
    search.max_entries = max_domain_groups;
    auto found = connection_->search(search);
    if (!found) return std::move(found).error();
    DomainGroups groups;
    const std::string mail_users_key = dn_key(layout_.mail_users_group_dn);
    for (const LdapEntry& group : *found) {
      std::string name = group.first("sAMAccountName");
      std::string key = dn_key(group.dn);
      if (key != mail_users_key && looks_like_mail_domain(name)) groups.emplace(std::move(key), std::move(name));
    }
    return groups;
  }

  LdapWriteResult add_member(const std::string& group_dn, const std::string& user_dn) {
    return connection_->modify_entry(group_dn, {{LdapModification::Kind::add, "member", {user_dn}}});
  }

  // Removes a half-made user; says in the failure when that failed too, since the
  // administrator then has to.
  TargetFailure undo(const std::string& user_dn, TargetFailure failure) {
    if (auto deleted = connection_->delete_entry(user_dn); !deleted)
      failure.message += "; the half-made user " + escape_control(user_dn) +
                         " could not be deleted again (" + deleted.error().message + "): delete it by hand";
    return failure;
  }

  std::unique_ptr<LdapConnection> connection_;
  AdTargetLayout layout_;
  AdPasswordPolicy policy_;
};

std::optional<TargetFailure> AdAccountTarget::create(const NewAccount& account) {
  const SoftAccount& row = account.row;
  if (auto problem = check_row(row)) return problem;
  if (account.password.empty() || !unicode_pwd_value(account.password))
    return TargetFailure{TargetFailureKind::refused, "the password is empty or not valid UTF-8"};
  // The domain's group before anything is written: a missing one makes no half user.
  std::string domain_dn;
  if (!row.domain.empty()) {
    if (auto refused = domain_group_for(row.domain, domain_dn)) return refused;
  }

  const std::string user_dn = new_user_dn(account, layout_);
  if (auto added = connection_->add_entry(user_dn, new_user_attributes(account, layout_)); !added)
    return target_failure_of(added);
  if (auto failure = set_first_password(user_dn, account)) return undo(user_dn, std::move(*failure));
  if (auto member = add_member(layout_.mail_users_group_dn, user_dn); !member)
    return undo(user_dn, target_failure_of(member));
  if (!domain_dn.empty()) {
    if (auto member = add_member(domain_dn, user_dn); !member) return undo(user_dn, target_failure_of(member));
  }
  return std::nullopt;
}

std::optional<TargetFailure> AdAccountTarget::complete(const NewAccount& account, const TargetAccount& existing) {
  const std::string& name = existing.account.empty() ? account.row.account : existing.account;
  auto not_ours = [&] {
    return TargetFailure{TargetFailureKind::refused, "the user \"" + escape_control(name) +
                                                         "\" was not created by dirmail-import: it is left as it is"};
  };
  if (!existing.imported) return not_ours();
  if (auto problem = check_row(account.row)) return problem;
  // Read again: the state decides whether a password is set, so it must be the current one.
  auto entry = user_entry(name);
  if (!entry) return target_failure_of(entry.error());
  if (!*entry)
    return TargetFailure{TargetFailureKind::other,
                         "the user \"" + escape_control(name) + "\" is gone from the directory"};
  const std::string& user_dn = (*entry)->dn;
  if (!has_importer_mark((*entry)->first("info"))) return not_ours();
  auto groups = domain_groups(user_groups_filter(user_dn));
  if (!groups) return target_failure_of(groups.error());
  const TargetAccount now = target_account_from_entry(**entry, layout_, *groups);

  // Everything that can refuse before the first write.
  const std::string& domain = account.row.domain;
  std::string domain_dn;
  if (!domain.empty()) {
    for (const std::string& other : now.domains)
      if (domain_key(other) != domain_key(domain))
        return TargetFailure{TargetFailureKind::refused,
                             "the user \"" + escape_control(name) + "\" is in the mail domain \"" +
                                 escape_control(other) + "\", not \"" + escape_control(domain) +
                                 "\": a change of domain is a conflict, not something to complete"};
    if (now.domains.empty()) {
      if (auto refused = domain_group_for(domain, domain_dn)) return refused;
    }
  }

  // Only the state create() leaves between the add and the password gets one: an
  // enabled user's password is never changed.
  if (created_without_password(**entry)) {
    if (auto failure = set_first_password(user_dn, account)) return failure;
  }
  if (!now.mail_user) {
    if (auto member = add_member(layout_.mail_users_group_dn, user_dn); !member && !already_member(member))
      return target_failure_of(member);
  }
  if (!domain_dn.empty()) {
    if (auto member = add_member(domain_dn, user_dn); !member && !already_member(member))
      return target_failure_of(member);
  }
  return std::nullopt;
}

Result<std::vector<SoftAccount>> AdAccountTarget::list() {
  auto schema = directory::DirectorySchema::active_directory();
  LdapSearch search;
  search.base = layout_.base_dn;
  search.filter = directory::mail_users_filter(schema, layout_.mail_users_group_dn, /*nested=*/true);
  search.attributes = user_attributes(layout_);
  search.max_entries = max_mail_users;
  auto users = connection_->search(search);
  if (!users) return std::move(users).error();
  auto groups = domain_groups(std::string(dotted_group_filter));
  if (!groups) return std::move(groups).error();
  std::vector<SoftAccount> rows;
  rows.reserve(users->size());
  for (const LdapEntry& user : *users) {
    TargetAccount account = target_account_from_entry(user, layout_, *groups);
    if (account.account.empty()) continue;  // no name: nothing to export
    rows.push_back(soft_account_from_target(account));
  }
  std::sort(rows.begin(), rows.end(),
            [](const SoftAccount& a, const SoftAccount& b) { return account_key(a.account) < account_key(b.account); });
  return rows;
}

// The connection must be encrypted: AD takes unicodePwd on no other.
Status check_options(const AdTargetOptions& options) {
  auto invalid = [](std::string why) {
    return make_error(ErrorCode::invalid_argument, "Active Directory target: " + why);
  };
  const auto& c = options.connection;
  if (!istarts_with(c.uri, "ldaps://") && !(istarts_with(c.uri, "ldap://") && c.start_tls))
    return invalid(c.uri + ": AD takes passwords only over an encrypted connection: use ldaps://, or ldap:// "
                           "with StartTLS");
  if (options.mail_users_group.empty()) return invalid("no mail users group (directory.mail_users_group)");
  const std::string& limit = options.mailbox_limit_attribute;
  if (!limit.empty() && !directory::equality_filter(limit, "0"))
    return invalid("\"" + escape_control(limit) + "\" is not an attribute name (directory.mailbox_limit_attribute)");
  return ok_status();
}

// A container the target writes into must exist: said at open, not at the first user.
Status check_container(LdapConnection& connection, const std::string& dn, std::string_view what) {
  LdapSearch search;
  search.base = dn;
  search.scope = directory::LdapScope::base;
  search.page_size = 0;
  search.max_entries = 1;
  auto found = connection.search(search);
  if (!found && found.error().code == ErrorCode::not_found)
    return make_error(ErrorCode::not_found, std::string(what) + " " + escape_control(dn) + " does not exist");
  if (!found) return std::move(found).error();
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<AccountTarget>> open_ad_account_target(const AdTargetOptions& given) {
  DIRMAIL_TRY(check_options(given));
  auto connection = LdapConnection::open(given.connection);
  if (!connection) return std::move(connection).error();
  LdapConnection& ldap = **connection;
  // No base DN configured: the domain's own, as the ad backend finds it (rootDSE).
  AdTargetOptions options = given;
  if (options.base_dn.empty()) {
    auto root = ldap.root_dse({"defaultNamingContext"});
    if (!root) return std::move(root).error();
    options.base_dn = root->first("defaultNamingContext");
    if (options.base_dn.empty())
      return make_error(ErrorCode::invalid_argument,
                        "Active Directory target: the server names no defaultNamingContext: set directory.base_dn");
  }
  AdTargetLayout layout;
  layout.base_dn = options.base_dn;
  layout.user_container = options.user_container.empty() ? "CN=Users," + options.base_dn : options.user_container;
  layout.group_container = options.group_container.empty() ? layout.user_container : options.group_container;
  layout.mailbox_limit_attribute = options.mailbox_limit_attribute;
  if (options.upn_suffix.empty()) {
    auto dns = directory::dns_name_of_naming_context(options.base_dn);
    if (!dns) return std::move(dns).error();
    layout.upn_suffix = std::move(*dns);
  } else {
    layout.upn_suffix = options.upn_suffix;
  }

  DIRMAIL_TRY(check_container(ldap, layout.user_container, "the user container"));
  if (layout.group_container != layout.user_container)
    DIRMAIL_TRY(check_container(ldap, layout.group_container, "the group container"));

  LdapSearch group;
  group.base = options.base_dn;
  group.filter =
      directory::group_by_name_filter(directory::DirectorySchema::active_directory(), options.mail_users_group);
  group.page_size = 0;
  group.max_entries = 2;
  auto groups = ldap.search(group);
  if (!groups) return std::move(groups).error();
  if (groups->empty())
    return make_error(ErrorCode::not_found, "the mail users group \"" + escape_control(options.mail_users_group) +
                                                "\" does not exist in " + escape_control(options.base_dn) +
                                                ": dirmail-import does not create it");
  layout.mail_users_group_dn = groups->front().dn;

  LdapSearch head;
  head.base = options.base_dn;
  head.scope = directory::LdapScope::base;
  head.attributes = {"minPwdLength", "pwdProperties"};
  head.page_size = 0;
  head.max_entries = 1;
  auto heads = ldap.search(head);
  if (!heads) return std::move(heads).error();
  if (heads->empty())
    return make_error(ErrorCode::not_found, escape_control(options.base_dn) + ": the domain head cannot be read");
  auto policy = parse_ad_password_policy(heads->front());
  if (!policy) return std::move(policy).error();

  return std::unique_ptr<AccountTarget>(
      new AdAccountTarget(std::move(*connection), std::move(layout), *policy));
}

}  // namespace dirmail::migration
