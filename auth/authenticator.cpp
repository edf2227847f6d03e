#include "dirmail/auth/authenticator.hpp"

#include "dirmail/auth/login_account.hpp"
#include "dirmail/base/log.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::auth {
namespace {

log::LogLine authlog() { return log::LogLine(log::service("auth"), log::Record::auth); }

}  // namespace

std::optional<PasswordSource> parse_password_source(std::string_view value) {
  if (value == "directory") return PasswordSource::directory;
  if (value == "secrets_file") return PasswordSource::secrets_file;
  return std::nullopt;
}

Authenticator::Authenticator(directory::Directory& directory, PasswordVerifier& passwords,
                             std::shared_ptr<SecretsFile> secrets, std::vector<std::string> master_users)
    : directory_(directory), passwords_(passwords), secrets_(std::move(secrets)) {
  for (auto& m : master_users) master_users_.push_back(to_lower(m));
}

bool Authenticator::is_master_user(std::string_view login) const {
  std::string key = to_lower(login);
  for (const auto& m : master_users_)
    if (m == key) return true;
  return false;
}

std::optional<std::string> Authenticator::secret_key(const directory::Account& account) const {
  if (!secrets_) return std::nullopt;
  if (secrets_->has_entry(account.address())) return account.address();
  if (!secrets_->has_entry(account.name)) return std::nullopt;
  auto same = directory_.find_account(account.name);
  if (same && iequals(same->address(), account.address())) return account.name;
  return std::nullopt;
}

LoginAnswer Authenticator::password(const PasswordCredentials& c, PasswordSource source) {
  using Answer = std::optional<directory::Account>;
  const bool other_identity = !c.authzid.empty() && !iequals(c.authzid, c.authcid);
  if (other_identity && is_master_user(c.authcid)) {
    // A master user is not a mail user: its password is in the secrets file only.
    if (!secrets_ || !secrets_->verify_password(c.authcid, c.password)) return Answer();
    auto target = find_login_account(directory_, c.authzid);
    if (target && *target)
      authlog().with("master", c.authcid).with("user", (*target)->address()).warn("master user logs in as a mail user");
    return target;
  }
  LoginAnswer verified = Answer();
  if (source == PasswordSource::secrets_file) {
    verified = find_login_account(directory_, c.authcid);
    if (verified && *verified) {
      auto key = secret_key(**verified);
      if (!key || !secrets_->verify_password(*key, c.password)) verified = Answer();
    }
  } else {
    verified = passwords_.verify(c.authcid, c.password);
  }
  // "alice" may name herself as "alice@example.test" and the reverse; nobody else.
  if (other_identity && verified && *verified && !iequals(c.authzid, (*verified)->address()) &&
      !iequals(c.authzid, (*verified)->name)) {
    authlog().with("user", c.authcid).with("authzid", c.authzid).warn("authorization identity refused");
    return Answer();
  }
  return verified;
}

LoginAnswer Authenticator::shared_secret(std::string_view login,
                                         const std::function<bool(std::string_view secret)>& proves) {
  using Answer = std::optional<directory::Account>;
  if (!secrets_) return Answer();
  auto account = find_login_account(directory_, login);
  if (!account || !*account) return account;
  auto key = secret_key(**account);
  auto secret = key ? secrets_->shared_secret(*key) : std::nullopt;
  if (!secret) return Answer();
  bool proven = proves(*secret);
  std::fill(secret->begin(), secret->end(), '\0');
  if (!proven) return Answer();
  return account;
}

LoginAnswer Authenticator::check(const SaslClaim& claim, PasswordSource source) {
  if (claim.mechanism != SaslPasswordMechanism::cram_md5) return password(claim.credentials, source);
  return shared_secret(claim.cram.login, [&claim](std::string_view secret) {
    return cram_md5_proves(secret, claim.challenge, claim.cram.digest);
  });
}

}  // namespace dirmail::auth
