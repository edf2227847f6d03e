#pragma once
// The location of an SMB mail store as an administrator writes it (a UNC path, or an
// smb:// URL) in the one form SmbFileSystem takes: "smb://server[:port]/share/dir".
#include <cstddef>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::store {

inline constexpr std::size_t kMaxSharePathBytes = 4096;

// "smb://server/share/dir" for "\\server\share\dir", "//server/share/dir" (either
// separator) or "smb://server[:port]/share/dir": the server in lower case, one
// trailing separator dropped. invalid_argument, saying why, for anything else: a drive
// letter ("H:\mail" is a per-logon mapping), a relative path, no share, an empty, "."
// or ".." component, a control character or one SMB refuses in names ("*?<>|:\), a '%'
// (libsmbclient would decode it), a bad port, more than kMaxSharePathBytes.
Result<std::string> share_url(std::string_view path);

// "\\server\share\dir" for "smb://server/share/dir", for messages an administrator
// recognises. The argument is not checked.
std::string unc_of(std::string_view url);
// "\\server\share" of "smb://server/share/dir/file".
std::string share_unc_of(std::string_view url);

}  // namespace dirmail::store
