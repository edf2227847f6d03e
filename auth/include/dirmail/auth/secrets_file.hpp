#pragma once
// auth.secrets_file as the daemon uses it: the SMTP-AUTH/APOP passwords, apart from
// the directory's (AD cannot give the shared secret CRAM-MD5 and APOP need). Opened at
// start, when a bad file or key stops the start; read again when it changes (checked
// at most once a second), keeping the last good content if the new one is bad.
// Thread-safe.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dirmail/auth/secret_sealing.hpp"
#include "dirmail/auth/secrets_file_format.hpp"
#include "dirmail/base/result.hpp"

namespace dirmail::auth {

class SecretsFile {
 public:
  // `key_path` may be empty when every entry is a hash.
  static Result<std::shared_ptr<SecretsFile>> open(std::string path, std::string key_path);

  // Entries are found by their exact login (without case): the Authenticator decides
  // which of an account's names ("alice@example.test", "alice") to ask for.
  bool has_entry(std::string_view login);
  // The password of a sealed entry, for CRAM-MD5 and APOP; nullopt without one.
  std::optional<std::string> shared_secret(std::string_view login);
  // PLAIN/LOGIN against the entry (either scheme); false without one.
  bool verify_password(std::string_view login, std::string_view password);

  const std::string& path() const { return path_; }

 private:
  struct Snapshot {
    std::unordered_map<std::string, SecretEntry> entries;
    std::optional<SealingKey> key;
  };
  // What tells a changed file: a rewrite moves mtime or the inode, a chmod only ctime.
  struct FileVersion {
    long long mtime_ns = 0, ctime_ns = 0, size = 0, inode = 0;
    bool operator==(const FileVersion&) const = default;
  };
  struct Version {
    FileVersion file, key;
    bool operator==(const Version&) const = default;
  };
  SecretsFile(std::string path, std::string key_path) : path_(std::move(path)), key_path_(std::move(key_path)) {}
  Result<Snapshot> load(Version* version) const;
  Version stat_version() const;
  // The current entries, read again first if the file changed.
  std::shared_ptr<const Snapshot> current();
  std::optional<SecretEntry> find(const Snapshot& s, std::string_view login) const;

  std::string path_, key_path_;
  std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
  Version version_;
  std::chrono::steady_clock::time_point checked_at_;
};

}  // namespace dirmail::auth
