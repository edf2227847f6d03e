#pragma once
// Names inside a folder: message file names and POP3 UIDLs (folder names: folder_names.hpp).
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/base/fnv_hash.hpp"

#include "dirmail/base/result.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::store {

inline constexpr std::size_t kMaxMessageFileNameBytes = 255;


// Names the index can record: printable ASCII without space or '/', not starting with '.'.
bool valid_message_file_name(std::string_view name);

// "<sec>.M<usec>P<pid>Q<counter>.<host>": unique across the nodes sharing a store
// (host), processes (pid), threads (counter) and restarts (time).
// Legal on Windows and Samba shares too: no maildir ":2,<flags>" suffix (flags live in
// the index), and the host part is [A-Za-z0-9_-].
std::string make_message_file_name(std::string_view host);

// The part of the host name that goes into file names ([A-Za-z0-9-], at most 32 bytes).
std::string file_name_host(std::string_view host_name);

// The default UIDL: the file name without a maildir ":2,..." suffix when it is a valid
// UIDL, otherwise a hash of it. Stable even if the index must be rebuilt.
std::string uidl_from_file_name(std::string_view name);

}  // namespace dirmail::store
