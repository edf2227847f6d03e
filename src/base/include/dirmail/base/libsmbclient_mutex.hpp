#pragma once
// The one lock around every libsmbclient call of the process. Debian's libsmbclient is
// not safe to call from two threads at once, even on separate contexts (its talloc
// stack frames are shared), and its Kerberos takes the process's KRB5CCNAME: so the
// store's SMB file system and the directory's SYSVOL reader take this same mutex.
#include <mutex>

namespace dirmail {

std::mutex& libsmbclient_mutex();

}  // namespace dirmail
