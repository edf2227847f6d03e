#pragma once
// The mail store dirmaild serves from, as store.backend says: posix (a local folder or
// a mounted share), or smb (shares reached with libsmbclient). An smb store that cannot
// reach its share at start is an error: dirmaild never falls back to a local folder.
#include <memory>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/store/file_system.hpp"
#include "dirmail/store/mail_store.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail {

// `share`, when given, gets the smb store's file system (nullptr for posix): the queue
// on the same share uses it too.
Result<std::unique_ptr<store::MailStore>> make_mail_store(const config::Settings& s,
                                                          const store::MailboxLocation& mailboxes,
                                                          const std::string& node,
                                                          std::shared_ptr<store::FileSystem>* share = nullptr);

}  // namespace dirmail
