#pragma once
// Expansion of the store.mailbox_path template into one user's mailbox root.
//
// Tokens (case-insensitive): %USERNAME%, %DOMAIN%, %HOME%. '\' in the template is a
// folder separator, as in the original product's `%HOME%\INETMAIL\INBOX`. A result
// that is not absolute is placed under `base_dir`. The result is lexically normalised.
//
// User name and domain come from clients and the directory: a value that could change
// the folder structure ('/', '\', NUL, control characters, "." or "..") is refused, and
// so is a template with ".." components, an unknown token, or no per-user token, so a
// user's mailbox can never be another user's or lie outside the mailbox base.
// %HOME% is trusted (the directory's home folder) and may be an absolute path; a home
// folder that is used but empty is refused.
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::store {

struct MailboxPathVars {
  std::string username;  // the directory's canonical login name
  std::string domain;    // mail domain, for per-domain layouts
  std::string home;      // home folder (already mapped from UNC to a local path if needed)
};

inline constexpr std::size_t kMaxMailboxPathBytes = 4096;

Result<std::string> expand_mailbox_path(std::string_view tmpl, const MailboxPathVars& vars,
                                        const std::string& base_dir);

// Where users' mailboxes are: store.mailbox_path under server.data_dir. Every service
// that opens a mailbox (delivery, POP3, IMAP) finds it through this one value.
struct MailboxLocation {
  std::string path_template;  // store.mailbox_path
  std::string base_dir;       // server.data_dir: relative results live here

  Result<std::string> root_for(const MailboxPathVars& vars) const {
    return expand_mailbox_path(path_template, vars, base_dir);
  }
};

// True when the template needs the user's home folder (so a directory lookup may skip
// homeDirectory otherwise).
bool mailbox_path_uses_home(std::string_view tmpl);

}  // namespace dirmail::store
