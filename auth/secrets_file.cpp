#include "dirmail/auth/secrets_file.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/private_file.hpp"
#include "dirmail/directory/password_hash.hpp"

namespace dirmail::auth {
namespace {

constexpr auto recheck_interval = std::chrono::seconds(1);

log::LogLine authlog() { return log::LogLine(log::service("auth"), log::Record::auth); }

}  // namespace

Result<std::shared_ptr<SecretsFile>> SecretsFile::open(std::string path, std::string key_path) {
  std::shared_ptr<SecretsFile> file(new SecretsFile(std::move(path), std::move(key_path)));
  auto loaded = file->load(&file->version_);
  if (!loaded) return std::move(loaded).error();
  file->snapshot_ = std::make_shared<const Snapshot>(std::move(*loaded));
  file->checked_at_ = std::chrono::steady_clock::now();
  return file;
}

Result<SecretsFile::Snapshot> SecretsFile::load(Version* version) const {
  auto where = [](const Error& e) { return make_error(e.code, "auth.secrets_file: " + e.message); };
  *version = stat_version();
  auto text = posix::read_private_file(path_, max_secrets_file_size);
  if (!text) return where(text.error());
  auto entries = parse_secrets_file(*text);
  if (!entries) return make_error(entries.error().code, fmt::format("auth.secrets_file: {}: {}", path_, entries.error().message));
  Snapshot s;
  bool sealed = false;
  for (auto& e : *entries) {
    sealed = sealed || e.scheme == SecretScheme::sealed;
    s.entries.emplace(e.login, std::move(e));
  }
  if (!key_path_.empty()) {
    auto key = SealingKey::load(key_path_);
    if (!key) return make_error(key.error().code, "auth.secrets_key_file: " + key.error().message);
    s.key = std::move(*key);
  } else if (sealed) {
    return make_error(ErrorCode::invalid_argument,
                      "auth.secrets_file: " + path_ + " has sealed entries, but auth.secrets_key_file is not set");
  }
  return s;
}

SecretsFile::Version SecretsFile::stat_version() const {
  auto ns = [](const timespec& t) { return static_cast<long long>(t.tv_sec) * 1000000000 + t.tv_nsec; };
  Version v;
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0)
    v.file = {ns(st.st_mtim), ns(st.st_ctim), static_cast<long long>(st.st_size), static_cast<long long>(st.st_ino)};
  // The key is read with the file: fixing its mode must be noticed too.
  if (!key_path_.empty() && ::stat(key_path_.c_str(), &st) == 0)
    v.key = {ns(st.st_mtim), ns(st.st_ctim), static_cast<long long>(st.st_size), static_cast<long long>(st.st_ino)};
  return v;
}

std::shared_ptr<const SecretsFile::Snapshot> SecretsFile::current() {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (now - checked_at_ < recheck_interval) return snapshot_;
  checked_at_ = now;
  Version seen = stat_version();
  if (seen == version_) return snapshot_;
  version_ = seen;  // a bad file is reported once, not at every login
  auto loaded = load(&version_);
  if (!loaded) {
    authlog().with("error", loaded.error().message).error("secrets file changed but cannot be used; keeping the last good one");
    return snapshot_;
  }
  authlog().with("file", path_).with("entries", loaded->entries.size()).info("secrets file read again");
  snapshot_ = std::make_shared<const Snapshot>(std::move(*loaded));
  return snapshot_;
}

std::optional<SecretEntry> SecretsFile::find(const Snapshot& s, std::string_view login) const {
  auto key = secret_login_key(login);
  if (!key) return std::nullopt;
  if (auto it = s.entries.find(*key); it != s.entries.end()) return it->second;
  return std::nullopt;
}

bool SecretsFile::has_entry(std::string_view login) {
  auto s = current();
  return find(*s, login).has_value();
}

std::optional<std::string> SecretsFile::shared_secret(std::string_view login) {
  auto s = current();
  auto entry = find(*s, login);
  if (!entry || entry->scheme != SecretScheme::sealed || !s->key) return std::nullopt;
  auto secret = s->key->open(entry->login, entry->value);
  if (!secret) {
    authlog().with("login", entry->login).with("line", entry->line).with("error", secret.error().message)
        .error("secrets file: an entry does not open with auth.secrets_key_file");
    return std::nullopt;
  }
  return std::move(*secret);
}

bool SecretsFile::verify_password(std::string_view login, std::string_view password) {
  auto s = current();
  auto entry = find(*s, login);
  if (!entry || password.empty()) return false;
  if (entry->scheme == SecretScheme::argon2id) return directory::verify_password_hash(entry->value, password);
  auto secret = shared_secret(entry->login);
  if (!secret) return false;
  bool same = secret->size() == password.size() && sodium_memcmp(secret->data(), password.data(), password.size()) == 0;
  sodium_memzero(secret->data(), secret->size());
  return same;
}

}  // namespace dirmail::auth
