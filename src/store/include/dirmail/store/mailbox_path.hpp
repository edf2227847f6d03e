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
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/base/windows_path_map.hpp"

namespace dirmail::store {

struct MailboxPathVars {
  std::string username;  // the directory's canonical login name
  std::string domain;    // mail domain, for per-domain layouts
  std::string home;      // home folder: a local path, or a Windows path MailboxLocation resolves
};

inline constexpr std::size_t kMaxMailboxPathBytes = 4096;

Result<std::string> expand_mailbox_path(std::string_view tmpl, const MailboxPathVars& vars,
                                        const std::string& base_dir);

// Where users' mailboxes are: store.mailbox_path under store.root (or server.data_dir).
// Every service that opens a mailbox (delivery, POP3, IMAP) finds it through this one
// value. Windows paths (a homeDirectory of \\fs1\home\alice or H:\alice, a template
// of \\nas\mail\%USERNAME%) go through store.path_map; with the smb store a UNC path
// not in the table is opened on its share ("smb://fs1/home/alice").
struct MailboxLocation {
  std::string path_template;  // store.mailbox_path
  std::string base_dir;       // relative results live here: a local folder or "smb://server/share/..."
  WindowsPathMap path_map;    // store.path_map
  bool shares = false;        // store.backend = smb: every root is "smb://..."

  // From the settings: store.mailbox_path, store.root (empty: `data_dir`; a UNC path
  // with the smb store), store.path_map, and whether store.backend is smb.
  static Result<MailboxLocation> make(std::string path_template, std::string_view root, std::string data_dir,
                                      const std::vector<std::string>& path_map, bool shares);

  // A local absolute path (posix store) or an "smb://" URL (smb store).
  Result<std::string> root_for(const MailboxPathVars& vars) const;

  // A UNC or drive-letter path through store.path_map: a local folder, or an "smb://"
  // URL with the smb store. invalid_argument, naming `what` (the setting or the value's
  // origin), when the path cannot be used here.
  Result<std::string> resolve_windows_path(std::string_view path, std::string_view what) const;
};

// True when the template needs the user's home folder (so a directory lookup may skip
// homeDirectory otherwise).
bool mailbox_path_uses_home(std::string_view tmpl);

}  // namespace dirmail::store
