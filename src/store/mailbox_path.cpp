#include "dirmail/store/mailbox_path.hpp"

#include <vector>

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
        // taken as one it would become a folder under the data folder.
        if (vars.home.rfind("\\\\", 0) == 0 || (vars.home.size() >= 3 && vars.home[1] == ':' &&
                                               (vars.home[2] == '\\' || vars.home[2] == '/')))
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

  std::string result;
  if (!out.empty() && out.front() == '/') {
    result = normalize(out);
  } else {
    if (base_dir.empty()) return bad("relative mailbox path needs a mailbox base folder");
    std::string relative = normalize(out);
    if (relative == "." || relative == ".." || relative.rfind("../", 0) == 0)
      return bad("mailbox path escapes the mailbox base folder");
    result = normalize(base_dir + "/" + relative);
  }
  if (result == "/") return bad("mailbox path is the file system root");
  if (result.size() > kMaxMailboxPathBytes) return bad("expanded mailbox path is too long");
  return result;
}

}  // namespace dirmail::store
