#include "dirmail/store/mailbox_path.hpp"

#include <algorithm>
#include <vector>

#include "dirmail/base/windows_path_map.hpp"
#include "dirmail/store/unc_path.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail::store {
namespace {

Error bad(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

// A user name or domain becomes exactly one path component.
Status check_component_value(std::string_view what, std::string_view value) {
  if (value.empty()) return bad(std::string(what) + " is empty");
  if (value == "." || value == "..") return bad(std::string(what) + " is a relative folder name");
  if (value.size() > 255) return bad(std::string(what) + " is too long for a folder name");
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\') return bad(std::string(what) + " contains a folder separator");
    if (u < 0x20 || u == 0x7f) return bad(std::string(what) + " contains a control character");
  }
  return ok_status();
}

// Lexical normalisation: drops empty and "." components and resolves "..". An absolute
// path cannot go above "/"; a relative one keeps leading "..", which callers refuse.
std::string normalize(std::string_view path) {
  bool absolute = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  for (auto part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
        continue;
      }
      if (absolute) continue;
    }
    parts.push_back(part);
  }
  std::string out = absolute ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  if (out.empty()) out.push_back('.');
  return out;
}

// An absolute result: "/local/path", or a folder on a share, "smb://server/share/..."
// (store.backend = smb) or, with `unc`, "//server/share/..." (a UNC template or home,
// resolved by MailboxLocation). A share form keeps at least its server and share.
Result<std::string> normalize_absolute(std::string_view path, bool unc) {
  for (std::string_view share_prefix : {std::string_view("smb://"), std::string_view("//")}) {
    if (!path.starts_with(share_prefix) || (share_prefix == "//" && !unc)) continue;
    std::string rest = normalize(std::string("/") + std::string(path.substr(share_prefix.size())));
    if (std::count(rest.begin(), rest.end(), '/') < 2) return bad("mailbox path \"" + std::string(path) + "\" names no share");
    return std::string(share_prefix) + rest.substr(1);
  }
  return normalize(path);
}

struct Token {
  enum Kind { username, domain, home } kind;
};

Result<Token> parse_token(std::string_view name) {
  if (iequals(name, "USERNAME")) return Token{Token::username};
  if (iequals(name, "DOMAIN")) return Token{Token::domain};
  if (iequals(name, "HOME")) return Token{Token::home};
  return bad("unknown token %" + std::string(name) + "% in mailbox path template");
}

}  // namespace

bool mailbox_path_uses_home(std::string_view tmpl) {
  for (std::size_t i = 0; i + 6 <= tmpl.size(); ++i)
    if (iequals(tmpl.substr(i, 6), "%HOME%")) return true;
  return false;
}

Result<std::string> expand_mailbox_path(std::string_view tmpl, const MailboxPathVars& vars,
                                        const std::string& base_dir) {
  if (tmpl.empty()) return bad("mailbox path template is empty");
  if (tmpl.size() > kMaxMailboxPathBytes) return bad("mailbox path template is too long");
  if (tmpl.find('\0') != std::string_view::npos) return bad("mailbox path template contains NUL");

  std::string out;
  std::string literal_shape;  // the template with each token replaced by "x", for the ".." check
  bool names_user = false;
  for (std::size_t i = 0; i < tmpl.size();) {
    char c = tmpl[i];
    if (c != '%') {
      char sep = c == '\\' ? '/' : c;
      out += sep;
      literal_shape += sep;
      ++i;
      continue;
    }
    auto close = tmpl.find('%', i + 1);
    if (close == std::string_view::npos) return bad("unterminated % in mailbox path template");
    auto token = parse_token(tmpl.substr(i + 1, close - i - 1));
    if (!token) return std::move(token).error();
    switch (token->kind) {
      case Token::username:
        DIRMAIL_TRY(check_component_value("user name", vars.username));
        out += vars.username;
        names_user = true;
        break;
      case Token::domain:
        DIRMAIL_TRY(check_component_value("domain", vars.domain));
        out += vars.domain;
        break;
      case Token::home:
        if (vars.home.empty()) return bad("the mailbox path uses %HOME% but the user has no home folder");
        if (vars.home.find('\0') != std::string::npos) return bad("home folder contains NUL");
        // A Windows home folder (\\server\share\user, H:\user) is not a local path;
        // taken as one it would become a folder under the data folder. MailboxLocation
        // resolves it first (store.path_map, or its share for the smb store).
        if (vars.home.rfind("\\\\", 0) == 0 || is_drive_path(vars.home))
          return bad("home folder \"" + vars.home + "\" is a Windows path; it needs the smb store or a mounted share");
        out += vars.home;
        names_user = true;
        break;
    }
    literal_shape += 'x';
    i = close + 1;
  }
  if (!names_user) return bad("mailbox path template must contain %USERNAME% or %HOME%");
  for (auto part : split(literal_shape, '/'))
    if (part == "..") return bad("mailbox path template must not contain '..'");

  std::string absolute;
  // "//server/share" counts as a share only when the template or the home folder wrote
  // it; a local base folder with a doubled '/' is a local folder.
  const bool written_absolute = (!out.empty() && out.front() == '/') || out.starts_with("smb://");
  if (written_absolute) {
    absolute = out;
  } else {
    if (base_dir.empty()) return bad("relative mailbox path needs a mailbox base folder");
    std::string relative = normalize(out);
    if (relative == "." || relative == ".." || relative.rfind("../", 0) == 0)
      return bad("mailbox path escapes the mailbox base folder");
    absolute = base_dir + "/" + relative;
  }
  auto normalized = normalize_absolute(absolute, written_absolute);
  if (!normalized) return std::move(normalized).error();
  std::string result = std::move(*normalized);
  if (result == "/") return bad("mailbox path is the file system root");
  if (result.size() > kMaxMailboxPathBytes) return bad("expanded mailbox path is too long");
  return result;
}

}  // namespace dirmail::store

namespace dirmail::store {

Result<std::string> MailboxLocation::resolve_windows_path(std::string_view path, std::string_view what) const {
  if (auto mapped = path_map.map(path)) {
    if (!is_unc_path(*mapped)) {
      if (shares)
        return bad(std::string(what) + " \"" + std::string(path) + "\" maps to the local folder " + *mapped +
                   " (store.path_map), but store.backend = smb keeps mailboxes on shares only");
      return std::move(*mapped);
    }
    if (!shares)
      return bad(std::string(what) + " \"" + std::string(path) + "\" maps to the share " + *mapped +
                 " (store.path_map): set store.backend = smb, or map it to a mounted folder");
    return share_url(*mapped);
  }
  if (is_drive_path(path))
    return bad(std::string(what) + " \"" + std::string(path) + "\" names the drive " + std::string(path.substr(0, 2)) +
               ", a per-logon drive mapping that services cannot use: set it to a UNC path (\\\\server\\share\\folder), "
               "or map the drive with store.path_map");
  if (!shares)
    return bad(std::string(what) + " \"" + std::string(path) +
               "\" is on a share: set store.backend = smb, or map it to a mounted folder with store.path_map");
  return share_url(path);
}

Result<MailboxLocation> MailboxLocation::make(std::string path_template, std::string_view root, std::string data_dir,
                                              const std::vector<std::string>& path_map, bool shares) {
  MailboxLocation location;
  location.path_template = std::move(path_template);
  location.shares = shares;
  auto map = WindowsPathMap::parse(path_map);
  if (!map) return std::move(map).error();
  location.path_map = std::move(*map);
  if (root.empty()) {
    if (shares) return bad("store.backend = smb needs store.root, the share of the mail folders (\\\\server\\share\\folder)");
    location.base_dir = std::move(data_dir);
  } else if (root.starts_with("smb://")) {
    auto base = share_url(root);
    if (!base) return make_error(ErrorCode::invalid_argument, "store.root: " + base.error().message);
    location.base_dir = std::move(*base);
  } else if (is_unc_path(root) || is_drive_path(root)) {
    auto base = location.resolve_windows_path(root, "store.root");
    if (!base) return std::move(base).error();
    location.base_dir = std::move(*base);
  } else if (root.front() == '/') {
    location.base_dir = std::string(root);
  } else {
    return bad("store.root \"" + std::string(root) + "\" must be an absolute folder or a UNC path");
  }
  if (shares && !location.base_dir.starts_with("smb://"))
    return bad("store.root " + location.base_dir + " is a local folder, but store.backend = smb keeps mailboxes on shares only");
  if (!shares && location.base_dir.starts_with("smb://"))
    return bad("store.root " + location.base_dir + " is on a share: set store.backend = smb");
  // The template must work for an ordinary user (a home folder of the kind the store
  // takes), or every delivery would fail: found now, at start or reload.
  const MailboxPathVars sample{"user", "example.test", shares ? "\\\\server\\share\\user" : "/home/user"};
  if (auto expanded = location.root_for(sample); !expanded) return bad("store.mailbox_path: " + expanded.error().message);
  return location;
}

Result<std::string> MailboxLocation::root_for(const MailboxPathVars& vars) const {
  MailboxPathVars resolved = vars;
  // A home folder the template does not use is not looked at: a soft account's UNC
  // home must not make a %USERNAME% mailbox unusable.
  if (!mailbox_path_uses_home(path_template)) resolved.home.clear();
  if (is_unc_path(resolved.home) || is_drive_path(resolved.home)) {
    auto home = resolve_windows_path(vars.home, "home folder");
    if (!home) return std::move(home).error();
    resolved.home = std::move(*home);
  }
  auto root = expand_mailbox_path(path_template, resolved, base_dir);
  if (!root) return root;
  if (is_unc_path(*root)) root = resolve_windows_path(*root, "mailbox path");  // a UNC template
  if (!root) return root;
  if (shares && !root->starts_with("smb://"))
    return bad("mailbox path " + *root + " is a local folder, but store.backend = smb keeps mailboxes on shares only");
  if (!shares && root->starts_with("smb://"))
    return bad("mailbox path " + *root + " is on a share: set store.backend = smb");
  return root;
}

}  // namespace dirmail::store
