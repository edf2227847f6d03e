#pragma once
// --passwords-out: the passwords dirmail-import generates, kept for the administrator.
// Each is appended and synced before its account is made, so that a run cut short
// loses none; an earlier run's lines stay (the file is never truncated). Mode 0600.
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/migration/soft_account.hpp"

namespace dirmail::import_tool {

class PasswordsOut {
 public:
  // Opens (creates) the file for appending; a new file gets a header comment.
  static Result<PasswordsOut> open(const std::string& path);
  PasswordsOut(PasswordsOut&& other) noexcept;
  PasswordsOut& operator=(PasswordsOut&&) = delete;
  ~PasswordsOut();

  // "account<TAB>domain<TAB>password", synced.
  Status keep(const migration::SoftAccount& row, const std::string& password);
  const std::string& path() const { return path_; }

 private:
  PasswordsOut(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Status append(const std::string& text);
  int fd_ = -1;
  std::string path_;
};

}  // namespace dirmail::import_tool
