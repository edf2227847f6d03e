#include "passwords_out.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace dirmail::import_tool {

Result<PasswordsOut> PasswordsOut::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return errno_error("open", path, errno);
  PasswordsOut file(fd, path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_error("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::invalid_argument, path + " is not a regular file");
  // An existing file others may read is made private before a password goes in.
  if ((st.st_mode & 077) != 0 && ::fchmod(fd, 0600) != 0) return errno_error("chmod", path, errno);
  if (st.st_size == 0) {
    DIRMAIL_TRY(file.append(
        "# Passwords dirmail-import generated: account, domain, password. In Active Directory the users must\n"
        "# change them at the first logon. Hand them over safely, then delete this file.\n"));
  }
  return file;
}

PasswordsOut::PasswordsOut(PasswordsOut&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

PasswordsOut::~PasswordsOut() {
  if (fd_ >= 0) ::close(fd_);
}

Status PasswordsOut::append(const std::string& text) {
  std::string_view rest = text;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("write", path_, errno);
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd_) != 0) return errno_error("fsync", path_, errno);
  return ok_status();
}

Status PasswordsOut::keep(const migration::SoftAccount& row, const std::string& password) {
  return append(fmt::format("{}\t{}\t{}\n", row.account, row.domain, password));
}

}  // namespace dirmail::import_tool
