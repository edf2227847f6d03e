// dirmailctl secret set|delete|list: the SMTP-AUTH/APOP password file
// (auth.secrets_file). Each change rewrites the file atomically with mode 0600;
// comments and the order of lines are kept. dirmaild reads the file again by itself.
#include <iostream>

#include <fmt/format.h>

#include "command_words.hpp"
#include "commands.hpp"
#include "dirmail/auth/secret_sealing.hpp"
#include "dirmail/auth/secrets_file_edit.hpp"
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

int usage(std::ostream& err, std::string_view problem = {}) {
  if (!problem.empty()) err << "dirmailctl: " << problem << "\n";
  err << secret_usage;
  return 2;
}

int failed(std::ostream& err, const std::string& message) {
  err << "dirmailctl: " << message << "\n";
  return 1;
}

int set_secret(const config::Settings& s, const Args& args, std::ostream& out, std::ostream& err) {
  auto words = parse_words(args, {"--password"}, {"--password-stdin", "--hash"});
  if (!words) return usage(err, words.error().message);
  if (words->positional.size() != 1) return usage(err);
  auto login = auth::secret_login_key(words->positional[0]);
  if (!login) return usage(err, login.error().message);
  auto file = auth::SecretsFileEdit::load(s.auth_secrets_file);
  if (!file) return failed(err, file.error().message);
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
    bool made = false;
    auto key = auth::load_or_create_sealing_key(s.auth_secrets_key_file, made);
    if (!key) return failed(err, "auth.secrets_key_file: " + key.error().message);
    if (made) out << "made a new key in " << s.auth_secrets_key_file << " (keep it apart from the secrets file)\n";
    entry.value = key->seal(entry.login, *password);
  }
  const std::string login_name = entry.login;
  const auto scheme = entry.scheme;
  bool replaced = file->set(std::move(entry));
  if (auto st = file->save(); !st) return failed(err, st.error().message);
  out << (replaced ? "changed " : "added ") << login_name << " (" << auth::to_string(scheme) << ") in "
      << s.auth_secrets_file << "\n";
  return 0;
}

int delete_secret(const config::Settings& s, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 2) return usage(err);
  auto login = auth::secret_login_key(args[1]);
  if (!login) return usage(err, login.error().message);
  auto file = auth::SecretsFileEdit::load(s.auth_secrets_file);
  if (!file) return failed(err, file.error().message);
  if (!file->remove(*login)) return failed(err, fmt::format("{} has no entry for {}", s.auth_secrets_file, *login));
  if (auto st = file->save(); !st) return failed(err, st.error().message);
  out << "deleted " << *login << " from " << s.auth_secrets_file << "\n";
  return 0;
}

int list_secrets(const config::Settings& s, std::ostream& out, std::ostream& err) {
  auto file = auth::SecretsFileEdit::load(s.auth_secrets_file);
  if (!file) return failed(err, file.error().message);
  for (const auto& e : file->entries())
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
