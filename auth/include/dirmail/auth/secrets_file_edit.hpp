#pragma once
// Changes to auth.secrets_file made by the administration tools (dirmailctl secret,
// dirmail-import): the file is read whole, entries set or removed with its comments
// and line order kept, and written back atomically with mode 0600. dirmaild reads the
// file again by itself (secrets_file.hpp).
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/auth/secret_sealing.hpp"
#include "dirmail/auth/secrets_file_format.hpp"
#include "dirmail/base/result.hpp"

namespace dirmail::auth {

class SecretsFileEdit {
 public:
  // The file's entries; a file that does not exist yet is an empty one. Errors name
  // the path (a malformed line, a file readable by others).
  static Result<SecretsFileEdit> load(std::string path);

  const std::vector<SecretEntry>& entries() const { return entries_; }
  bool has(std::string_view login_key) const;
  // Adds the entry, or replaces the one with its login. True when it replaced one.
  bool set(SecretEntry entry);
  // False when there was no entry for the login.
  bool remove(std::string_view login_key);
  // Writes the file (a header comment first when it is new).
  Status save() const;

  const std::string& path() const { return path_; }

 private:
  explicit SecretsFileEdit(std::string path) : path_(std::move(path)) {}
  std::string path_;
  std::vector<std::string> lines_;     // the file's lines; entries point into them
  std::vector<SecretEntry> entries_;   // .line: 1-based index into lines_
};

// The sealing key at `key_path`, made (mode 0600) when it does not exist yet; `made`
// says which, so that the tool can tell the administrator to keep it apart.
Result<SealingKey> load_or_create_sealing_key(const std::string& key_path, bool& made);

}  // namespace dirmail::auth
