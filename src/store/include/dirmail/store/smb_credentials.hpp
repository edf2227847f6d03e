#pragma once
// The account SmbFileSystem logs on to a share with, from a credentials file in
// smbclient's format (smbclient -A):
//   username = mailstore
//   password = secret
//   domain = EXAMPLE
// Blank lines and lines starting with '#' are skipped. The file must be private (see
// posix::read_private_file): a password readable by others is refused.
#include <cstddef>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::store {

inline constexpr std::size_t kMaxSmbCredentialsBytes = 4096;

struct SmbCredentials {
  std::string username;
  std::string password;
  std::string domain;  // may be empty: the server's own accounts
};

// invalid_argument naming `source` (never quoting a password line) for an unknown key,
// a line without '=', a missing username or password, a control character.
Result<SmbCredentials> parse_smb_credentials(std::string_view text, std::string_view source);
// permission_denied (with the chmod that fixes it) when group or others can read it.
Result<SmbCredentials> read_smb_credentials_file(const std::string& path);

}  // namespace dirmail::store
