#include "dirmail/migration/local_account_target.hpp"

#include <algorithm>

namespace dirmail::migration {
namespace {

TargetAccount from_local(const directory::LocalUser& user) {
  TargetAccount t;
  t.account = user.account.name;
  t.display_name = user.account.display_name;
  t.home_folder = user.account.home;
  t.domains = {user.account.domain};
  t.mail_user = true;
  t.mailbox_limit = user.account.mailbox_limit;
  t.enabled = user.enabled;
  return t;
}

std::optional<TargetFailure> failure(const Error& error) {
  TargetFailureKind kind = TargetFailureKind::other;
  switch (error.code) {
    case ErrorCode::already_exists: kind = TargetFailureKind::already_exists; break;
    case ErrorCode::invalid_argument:
    case ErrorCode::not_found:
    case ErrorCode::limit_exceeded: kind = TargetFailureKind::refused; break;
    case ErrorCode::permission_denied: kind = TargetFailureKind::permission; break;
    case ErrorCode::temporary_failure:
    case ErrorCode::io_error: kind = TargetFailureKind::unavailable; break;
    default: break;
  }
  return TargetFailure{kind, error.message};
}

class LocalAccountTarget final : public AccountTarget {
 public:
  LocalAccountTarget(directory::LocalDirectory& directory, std::string path)
      : directory_(directory), path_(std::move(path)) {}

  std::string description() const override { return "local directory " + path_; }
  bool one_namespace() const override { return false; }

  Result<std::optional<TargetAccount>> find(std::string_view account, std::string_view domain) override {
    if (domain.empty()) return std::optional<TargetAccount>{};  // the local directory has no domainless accounts
    auto user = directory_.get_user(std::string(account) + "@" + std::string(domain));
    if (!user) {
      if (user.error().code == ErrorCode::not_found) return std::optional<TargetAccount>{};
      return std::move(user).error();
    }
    return std::optional<TargetAccount>(from_local(*user));
  }

  Result<bool> has_domain(std::string_view domain) override { return directory_.is_local_domain(domain); }

  Result<void> create_domain(std::string_view domain) override { return directory_.add_domain(domain); }

  std::optional<TargetFailure> check_row(const SoftAccount& row) const override {
    if (row.domain.empty())
      return TargetFailure{TargetFailureKind::refused,
                           "no mail domain: every account of the local directory belongs to one"};
    return std::nullopt;
  }

  std::optional<TargetFailure> create(const NewAccount& account) override {
    if (auto problem = check_row(account.row)) return problem;
    directory::UserSpec spec;
    spec.name = account.row.account;
    spec.domain = account.row.domain;
    spec.password = account.password;
    spec.display_name = account.row.full_name;
    spec.home = account.row.home_folder;
    spec.mailbox_limit = account.row.mailbox_limit;
    spec.require_smtp_auth = account.row.smtp_auth;
    if (auto added = directory_.add_user(spec); !added) return failure(added.error());
    return std::nullopt;
  }

  // The local directory makes an account in one step: nothing is ever half made.
  std::optional<TargetFailure> complete(const NewAccount&, const TargetAccount&) override { return std::nullopt; }

  // The local directory takes any password that is not empty.
  Result<std::optional<std::string>> check_password(std::string_view, std::string_view password) override {
    if (password.empty()) return std::optional<std::string>("the password is empty");
    return std::optional<std::string>{};
  }

  Result<std::vector<SoftAccount>> list() override {
    auto users = directory_.list_users();
    if (!users) return std::move(users).error();
    std::vector<SoftAccount> rows;
    rows.reserve(users->size());
    for (const auto& user : *users) {
      SoftAccount row;
      row.account = user.account.name;
      row.full_name = user.account.display_name;
      row.domain = user.account.domain;
      row.home_folder = user.account.home;
      row.mailbox_limit = user.account.mailbox_limit;
      row.smtp_auth = user.account.require_smtp_auth;
      rows.push_back(std::move(row));
    }
    return rows;
  }

 private:
  directory::LocalDirectory& directory_;
  std::string path_;
};

}  // namespace

std::unique_ptr<AccountTarget> make_local_account_target(directory::LocalDirectory& directory, std::string path) {
  return std::make_unique<LocalAccountTarget>(directory, std::move(path));
}

}  // namespace dirmail::migration
