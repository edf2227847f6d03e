#include "dirmail/auth/secrets_file_edit.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "dirmail/base/private_file.hpp"

namespace dirmail::auth {
namespace {

constexpr std::string_view file_header =
    "# dirmail SMTP-AUTH/APOP secrets (auth.secrets_file): LOGIN<TAB>SCHEME:VALUE.\n"
    "# Managed with dirmailctl secret; keep it mode 0600.\n";

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    lines.emplace_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return lines;
}

}  // namespace

Result<SecretsFileEdit> SecretsFileEdit::load(std::string path) {
  SecretsFileEdit edit(std::move(path));
  if (!exists(edit.path_)) return edit;
  auto text = posix::read_private_file(edit.path_, max_secrets_file_size);
  if (!text) return std::move(text).error();
  auto entries = parse_secrets_file(*text);
  if (!entries) return make_error(entries.error().code, edit.path_ + ": " + entries.error().message);
  edit.entries_ = std::move(*entries);
  edit.lines_ = split_lines(*text);
  return edit;
}

bool SecretsFileEdit::has(std::string_view login_key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const SecretEntry& e) { return e.login == login_key; });
}

bool SecretsFileEdit::set(SecretEntry entry) {
  std::string line = format_secret_entry(entry);
  for (auto& e : entries_) {
    if (e.login != entry.login) continue;
    lines_[e.line - 1] = line;
    entry.line = e.line;
    e = std::move(entry);
    return true;
  }
  if (lines_.empty()) lines_ = split_lines(file_header);
  lines_.push_back(std::move(line));
  entry.line = lines_.size();
  entries_.push_back(std::move(entry));
  return false;
}

bool SecretsFileEdit::remove(std::string_view login_key) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const SecretEntry& e) { return e.login == login_key; });
  if (it == entries_.end()) return false;
  const std::size_t dropped = it->line;
  lines_.erase(lines_.begin() + static_cast<std::ptrdiff_t>(dropped - 1));
  entries_.erase(it);
  for (auto& e : entries_)
    if (e.line > dropped) --e.line;
  return true;
}

Status SecretsFileEdit::save() const {
  std::string text;
  if (lines_.empty()) text = file_header;
  for (const auto& l : lines_) text += l + "\n";
  return posix::write_private_file(path_, text);
}

Result<SealingKey> load_or_create_sealing_key(const std::string& key_path, bool& made) {
  made = !exists(key_path);
  return made ? SealingKey::create(key_path) : SealingKey::load(key_path);
}

}  // namespace dirmail::auth
