// dirmailctl secret set|delete|list: the SMTP-AUTH/APOP password file
// (auth.secrets_file). Each change rewrites the file atomically with mode 0600;
// comments and the order of lines are kept. dirmaild reads the file again by itself.
#include <sys/stat.h>

#include <iostream>

#include <fmt/format.h>

#include "command_words.hpp"
#include "commands.hpp"
#include "dirmail/auth/secret_sealing.hpp"
#include "dirmail/auth/secrets_file_format.hpp"
#include "dirmail/base/private_file.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/directory/password_hash.hpp"

namespace dirmail::ctl {
namespace {

constexpr const char* secret_usage =
    "usage: dirmailctl secret set LOGIN [--password P | --password-stdin] [--hash]\n"
    "       dirmailctl secret delete LOGIN\n"
    "       dirmailctl secret list\n"
    "set seals the password with auth.secrets_key_file (made when missing), so that CRAM-MD5\n"
    "and APOP can use it; --hash keeps an Argon2id hash instead (PLAIN and LOGIN only).\n";

constexpr const char* file_header =
    "# dirmail SMTP-AUTH/APOP secrets (auth.secrets_file): LOGIN<TAB>SCHEME:VALUE.\n"
    "# Managed with dirmailctl secret; keep it mode 0600.\n";

int usage(std::ostream& err, std::string_view problem = {}) {
  if (!problem.empty()) err << "dirmailctl: " << problem << "\n";
  err << secret_usage;
  return 2;
}

int failed(std::ostream& err, const std::string& message) {
  err << "dirmailctl: " << message << "\n";
  return 1;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The file's lines and entries; an absent file is an empty one.
struct SecretsText {
  std::vector<std::string> lines;
  std::vector<auth::SecretEntry> entries;
};

Result<SecretsText> read_secrets(const std::string& path) {
  SecretsText t;
  if (!exists(path)) return t;
  auto text = posix::read_private_file(path, auth::max_secrets_file_size);
  if (!text) return std::move(text).error();
  auto entries = auth::parse_secrets_file(*text);
  if (!entries) return make_error(entries.error().code, path + ": " + entries.error().message);
  t.entries = std::move(*entries);
  std::string_view rest = *text;
  while (!rest.empty()) {
    auto end = rest.find('\n');
    t.lines.emplace_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return t;
}

Status write_secrets(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  if (lines.empty()) text = file_header;
  for (const auto& l : lines) text += l + "\n";
  return posix::write_private_file(path, text);
}

int set_secret(const config::Settings& s, const Args& args, std::ostream& out, std::ostream& err) {
  auto words = parse_words(args, {"--password"}, {"--password-stdin", "--hash"});
  if (!words) return usage(err, words.error().message);
  if (words->positional.size() != 1) return usage(err);
  auto login = auth::secret_login_key(words->positional[0]);
  if (!login) return usage(err, login.error().message);
  auto text = read_secrets(s.auth_secrets_file);
  if (!text) return failed(err, text.error().message);
  auto password = password_from(*words, err);
  if (!password) return failed(err, password.error().message);
  if (password->empty()) return failed(err, "the password is empty");

  auth::SecretEntry entry{*login, auth::SecretScheme::sealed, "", 0};
  if (words->flags.contains("--hash")) {
    auto hash = directory::hash_password(*password, directory::PasswordHashCost::interactive());
    if (!hash) return failed(err, hash.error().message);
    entry.scheme = auth::SecretScheme::argon2id;
    entry.value = std::move(*hash);
  } else {
    if (s.auth_secrets_key_file.empty())
      return failed(err, "auth.secrets_key_file is not set: set it, or keep a hash with --hash (no CRAM-MD5 or APOP then)");
    bool made = !exists(s.auth_secrets_key_file);
    auto key = made ? auth::SealingKey::create(s.auth_secrets_key_file) : auth::SealingKey::load(s.auth_secrets_key_file);
    if (!key) return failed(err, "auth.secrets_key_file: " + key.error().message);
    if (made) out << "made a new key in " << s.auth_secrets_key_file << " (keep it apart from the secrets file)\n";
    entry.value = key->seal(entry.login, *password);
  }
  std::string line = auth::format_secret_entry(entry);
  bool replaced = false;
  for (const auto& e : text->entries) {
    if (e.login != entry.login) continue;
    text->lines[e.line - 1] = line;
    replaced = true;
  }
  if (!replaced) {
    if (text->lines.empty()) {
      std::string_view header = file_header;
      while (!header.empty()) {
        auto end = header.find('\n');
        text->lines.emplace_back(header.substr(0, end));
        header = header.substr(end + 1);
      }
    }
    text->lines.push_back(line);
  }
  if (auto st = write_secrets(s.auth_secrets_file, text->lines); !st) return failed(err, st.error().message);
  out << (replaced ? "changed " : "added ") << entry.login << " (" << auth::to_string(entry.scheme) << ") in "
      << s.auth_secrets_file << "\n";
  return 0;
}

int delete_secret(const config::Settings& s, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 2) return usage(err);
  auto login = auth::secret_login_key(args[1]);
  if (!login) return usage(err, login.error().message);
  auto text = read_secrets(s.auth_secrets_file);
  if (!text) return failed(err, text.error().message);
  std::size_t drop = 0;
  for (const auto& e : text->entries)
    if (e.login == *login) drop = e.line;
  if (drop == 0) return failed(err, fmt::format("{} has no entry for {}", s.auth_secrets_file, *login));
  text->lines.erase(text->lines.begin() + static_cast<std::ptrdiff_t>(drop - 1));
  if (auto st = write_secrets(s.auth_secrets_file, text->lines); !st) return failed(err, st.error().message);
  out << "deleted " << *login << " from " << s.auth_secrets_file << "\n";
  return 0;
}

int list_secrets(const config::Settings& s, std::ostream& out, std::ostream& err) {
  auto text = read_secrets(s.auth_secrets_file);
  if (!text) return failed(err, text.error().message);
  for (const auto& e : text->entries)
    out << e.login << "\t" << auth::to_string(e.scheme)
        << (e.scheme == auth::SecretScheme::sealed ? "\tPLAIN LOGIN CRAM-MD5 APOP\n" : "\tPLAIN LOGIN\n");
  return 0;
}

}  // namespace

int secret_command(const config::Settings& settings, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage(err);
  if (settings.auth_secrets_file.empty()) return failed(err, "auth.secrets_file is not set in the configuration");
  const std::string& verb = args[0];
  if (verb == "set") return set_secret(settings, args, out, err);
  if (verb == "delete") return delete_secret(settings, args, out, err);
  if (verb == "list" && args.size() == 1) return list_secrets(settings, out, err);
  return usage(err);
}

}  // namespace dirmail::ctl
