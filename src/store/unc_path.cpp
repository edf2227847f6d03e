#include "dirmail/store/unc_path.hpp"

#include <algorithm>

#include "dirmail/base/strings.hpp"
#include "dirmail/base/windows_path_map.hpp"

namespace dirmail::store {
namespace {

constexpr std::string_view kScheme = "smb://";

Error refused(std::string_view path, std::string_view why) {
  return make_error(ErrorCode::invalid_argument,
                    "\"" + escape_control(path.substr(0, 200)) + "\" is not a share path: " + std::string(why));
}

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

// A share or folder name: what SMB accepts in a name, and no '%' (libsmbclient
// percent-decodes URLs).
std::string_view name_problem(std::string_view part) {
  if (part.empty()) return "an empty component";
  if (part == "." || part == "..") return "a '.' or '..' component";
  for (char c : part) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "a control character";
    if (std::string_view("\"*?<>|:\\").find(c) != std::string_view::npos) return "a character SMB refuses in names (\"*?<>|:\\)";
    if (c == '%') return "a '%' (not supported in share paths)";
  }
  if (!valid_utf8(part)) return "bytes that are not UTF-8";
  return {};
}

}  // namespace

Result<std::string> share_url(std::string_view path) {
  // "smb://user:password@server/...": refused without quoting it, so that no password
  // reaches a log or the start-up error.
  const std::size_t authority = istarts_with(path, kScheme) ? kScheme.size() : 2;
  if (const auto at = path.find('@'); at != std::string_view::npos && at >= authority &&
                                      at < path.find_first_of("/\\", authority))
    return make_error(ErrorCode::invalid_argument,
                      "a share path must not carry a user name or password: use store.smb_credentials_file");
  if (path.size() > kMaxSharePathBytes) return refused(path, "longer than " + std::to_string(kMaxSharePathBytes) + " bytes");
  if (is_drive_path(path))
    return refused(path, "a drive letter is a per-logon mapping that services cannot use; give the UNC path (\\\\server\\share\\folder)");
  std::string url;
  if (istarts_with(path, kScheme)) {
    url = std::string(kScheme) + std::string(path.substr(kScheme.size()));
  } else if (is_unc_path(path)) {
    url = std::string(kScheme) + std::string(path.substr(2));
    std::replace(url.begin() + kScheme.size(), url.end(), '\\', '/');
  } else {
    return refused(path, "expected \\\\server\\share\\folder, //server/share/folder or smb://server/share/folder");
  }
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  auto parts = split(rest, '/');
  if (parts.size() < 2 || parts[0].empty() || parts[1].empty()) return refused(path, "it names no server and share");

  // server[:port]
  std::string_view host = parts[0];
  std::string_view port;
  if (auto colon = host.find(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
    auto number = parse_decimal(port, 5);
    if (!number || *number == 0 || *number > 65535) return refused(path, "the port must be a number from 1 to 65535");
  }
  if (host.empty() || host == "." || host == "..") return refused(path, "it names no server");
  for (char c : host)
    if (!valid_host_char(c)) return refused(path, "the server must be a host name or an IPv4 address");

  std::string out(kScheme);
  out += to_lower(host);
  if (!port.empty()) out += ":" + std::to_string(*parse_decimal(port, 5));
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (auto problem = name_problem(parts[i]); !problem.empty()) return refused(path, "it has " + std::string(problem));
    out += '/';
    out += parts[i];
  }
  return out;
}

std::string unc_of(std::string_view url) {
  if (istarts_with(url, kScheme)) url.remove_prefix(kScheme.size());
  std::string out = "\\\\";
  for (char c : url) out += c == '/' ? '\\' : c;
  return out;
}

std::string share_unc_of(std::string_view url) {
  if (istarts_with(url, kScheme)) url.remove_prefix(kScheme.size());
  auto slash = url.find('/');
  if (slash != std::string_view::npos) slash = url.find('/', slash + 1);
  return unc_of(url.substr(0, slash));
}

}  // namespace dirmail::store
