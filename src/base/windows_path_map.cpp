#include "dirmail/base/windows_path_map.hpp"

#include <algorithm>

#include "dirmail/base/strings.hpp"

namespace dirmail {
namespace {

bool is_separator(char c) { return c == '\\' || c == '/'; }
bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// '\' separators, no trailing separator ("H:\" stays "H:").
std::string backslashed(std::string_view path) {
  std::string out(path);
  std::replace(out.begin(), out.end(), '/', '\\');
  while (out.size() > 2 && out.back() == '\\' && !(out.size() == 3 && out[1] == ':')) out.pop_back();
  if (out.size() == 3 && out[1] == ':' && out[2] == '\\') out.pop_back();
  return out;
}

// The components of a UNC path after its leading separators.
std::vector<std::string_view> unc_components(std::string_view path) {
  while (!path.empty() && is_separator(path.front())) path.remove_prefix(1);
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || is_separator(path[i])) {
      parts.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  if (!parts.empty() && parts.back().empty()) parts.pop_back();  // one trailing separator
  return parts;
}

Status check_unc(std::string_view path, std::string_view what) {
  auto parts = unc_components(path);
  if (parts.size() < 2)
    return make_error(ErrorCode::invalid_argument, std::string(what) + " \"" + std::string(path) + "\" names no share (\\\\server\\share)");
  for (auto part : parts) {
    if (part.empty() || part == "." || part == "..")
      return make_error(ErrorCode::invalid_argument, std::string(what) + " \"" + std::string(path) + "\" has an empty, '.' or '..' component");
    for (char c : part)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        return make_error(ErrorCode::invalid_argument, std::string(what) + " contains a control character");
  }
  return ok_status();
}

}  // namespace

bool is_unc_path(std::string_view path) { return path.size() >= 2 && is_separator(path[0]) && is_separator(path[1]); }

bool is_drive_path(std::string_view path) {
  return path.size() >= 2 && is_letter(path[0]) && path[1] == ':' && (path.size() == 2 || is_separator(path[2]));
}

Result<WindowsPathMap> WindowsPathMap::parse(const std::vector<std::string>& entries) {
  WindowsPathMap map;
  for (const std::string& entry : entries) {
    auto bad = [&](std::string_view why) {
      return make_error(ErrorCode::invalid_argument, "store.path_map entry \"" + entry + "\": " + std::string(why));
    };
    const auto eq = entry.find('=');
    if (eq == std::string::npos) return bad("expected PREFIX = TARGET");
    const std::string prefix(trim(std::string_view(entry).substr(0, eq)));
    const std::string target(trim(std::string_view(entry).substr(eq + 1)));
    if (is_unc_path(prefix)) {
      if (auto ok = check_unc(prefix, "prefix"); !ok) return bad(ok.error().message);
    } else if (!is_drive_path(prefix)) {
      return bad("the prefix must be a UNC path (\\\\server\\share) or a drive letter (H: or D:\\folder)");
    }
    if (is_unc_path(target)) {
      if (auto ok = check_unc(target, "target"); !ok) return bad(ok.error().message);
    } else if (target.empty() || target.front() != '/') {
      return bad("the target must be an absolute local path or a UNC path");
    }
    if (target.find("/../") != std::string::npos || target.ends_with("/.."))
      return bad("the target must not contain '..'");
    map.entries_.push_back(Entry{backslashed(prefix), target});
  }
  return map;
}

std::optional<std::string> WindowsPathMap::map(std::string_view path) const {
  const std::string wanted = backslashed(path);
  const Entry* best = nullptr;
  for (const Entry& entry : entries_) {
    if (wanted.size() < entry.prefix.size()) continue;
    if (!iequals(std::string_view(wanted).substr(0, entry.prefix.size()), entry.prefix)) continue;
    // Whole components only: "\\fs1\home" is not a prefix of "\\fs1\homes".
    if (wanted.size() > entry.prefix.size() && wanted[entry.prefix.size()] != '\\' && !entry.prefix.ends_with(':'))
      continue;
    if (best == nullptr || entry.prefix.size() > best->prefix.size()) best = &entry;
  }
  if (best == nullptr) return std::nullopt;
  std::string rest = wanted.substr(best->prefix.size());
  // The rest may not climb out of the mapped folder.
  for (auto part : split(rest, '\\'))
    if (part == "." || part == "..") return std::nullopt;
  if (!rest.empty() && rest.front() != '\\') rest.insert(rest.begin(), '\\');  // "H:alice" → "\alice"
  std::string out = best->target;
  while (out.size() > 1 && is_separator(out.back())) out.pop_back();
  out += rest;
  std::replace(out.begin(), out.end(), '\\', '/');
  return out;
}

}  // namespace dirmail
