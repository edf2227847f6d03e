#include "dirmail/store/smb_credentials.hpp"

#include "dirmail/base/private_file.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::store {

Result<SmbCredentials> parse_smb_credentials(std::string_view text, std::string_view source) {
  if (text.size() > kMaxSmbCredentialsBytes)
    return make_error(ErrorCode::invalid_argument, std::string(source) + ": larger than " + std::to_string(kMaxSmbCredentialsBytes) + " bytes");
  SmbCredentials credentials;
  bool has_password = false;
  std::size_t number = 0;
  for (std::string_view line : split(text, '\n')) {
    ++number;
    auto bad = [&](std::string_view why) {
      return make_error(ErrorCode::invalid_argument, std::string(source) + " line " + std::to_string(number) + ": " + std::string(why));
    };
    if (line.ends_with('\r')) line.remove_suffix(1);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return bad("expected KEY = VALUE");
    const std::string key = to_lower(trim(line.substr(0, eq)));
    const std::string_view value = trim(line.substr(eq + 1));
    for (char c : value)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad("control character in the value");
    if (key == "username") {
      credentials.username = std::string(value);
    } else if (key == "password") {
      credentials.password = std::string(value);
      has_password = true;
    } else if (key == "domain") {
      credentials.domain = std::string(value);
    } else {
      return bad("unknown key \"" + escape_control(key.substr(0, 40)) + "\" (username, password, domain)");
    }
  }
  if (credentials.username.empty()) return make_error(ErrorCode::invalid_argument, std::string(source) + ": no username");
  if (!has_password) return make_error(ErrorCode::invalid_argument, std::string(source) + ": no password");
  return credentials;
}

Result<SmbCredentials> read_smb_credentials_file(const std::string& path) {
  auto text = posix::read_private_file(path, kMaxSmbCredentialsBytes);
  if (!text) return std::move(text).error();
  return parse_smb_credentials(*text, path);
}

}  // namespace dirmail::store
