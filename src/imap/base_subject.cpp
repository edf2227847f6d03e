// RFC 5256 §2.1 base subject extraction, step by step as the RFC numbers them.
#include "dirmail/imap/base_subject.hpp"

#include <cstddef>
#include <optional>

#include "dirmail/base/encoded_words.hpp"

namespace dirmail::imap {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_nocase(std::string_view s, std::size_t at, std::string_view prefix) {
  if (s.size() - at < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[at + i]) != prefix[i]) return false;
  return true;
}

// Step 1 (without decoding): tabs and line breaks become spaces, runs of spaces one.
std::string normalise_space(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out.push_back(c);
  }
  return out;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP: where it ends, when one starts at `at`.
std::optional<std::size_t> blob_end(std::string_view s, std::size_t at) {
  if (at >= s.size() || s[at] != '[') return std::nullopt;
  std::size_t i = at + 1;
  while (i < s.size() && s[i] != ']') {
    if (s[i] == '[') return std::nullopt;
    ++i;
  }
  if (i == s.size()) return std::nullopt;
  ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
std::optional<std::size_t> refwd_end(std::string_view s, std::size_t at) {
  std::size_t i = at;
  if (starts_with_nocase(s, i, "re")) i += 2;
  else if (starts_with_nocase(s, i, "fwd")) i += 3;
  else if (starts_with_nocase(s, i, "fw")) i += 2;
  else return std::nullopt;
  while (i < s.size() && s[i] == ' ') ++i;
  if (auto b = blob_end(s, i)) i = *b;
  if (i < s.size() && s[i] == ':') return i + 1;
  return std::nullopt;
}

// subj-leader = (*subj-blob subj-refwd) / WSP: its length, and whether it was a refwd.
std::optional<std::size_t> leader_end(std::string_view s, bool& refwd) {
  if (!s.empty() && s[0] == ' ') return 1;
  std::size_t i = 0;
  for (;;) {
    if (auto r = refwd_end(s, i)) {
      refwd = true;
      return *r;
    }
    auto b = blob_end(s, i);
    if (!b) return std::nullopt;
    i = *b;
  }
}

}  // namespace

BaseSubject base_subject(std::string_view subject) {
  BaseSubject result;
  // Step 1: encoded words decoded to UTF-8, white space runs made one space.
  std::string s = normalise_space(decode_encoded_words(subject));
  for (;;) {
    // Step 2: trailing "(fwd)" and white space.
    for (;;) {
      if (!s.empty() && s.back() == ' ') {
        s.pop_back();
      } else if (s.size() >= 5 && starts_with_nocase(s, s.size() - 5, "(fwd)")) {
        s.resize(s.size() - 5);
        result.reply_or_forward = true;
      } else {
        break;
      }
    }
    // Steps 3 to 5: leaders, then a leading blob when something is left after it.
    for (bool changed = true; changed;) {
      changed = false;
      bool refwd = false;
      if (auto end = leader_end(s, refwd)) {
        s.erase(0, *end);
        result.reply_or_forward = result.reply_or_forward || refwd;
        changed = true;
      }
      if (auto end = blob_end(s, 0); end && *end < s.size()) {
        s.erase(0, *end);
        changed = true;
      }
    }
    // Step 6: "[fwd: ...]" around everything: remove it and start again at step 2.
    if (s.size() >= 6 && starts_with_nocase(s, 0, "[fwd:") && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      result.reply_or_forward = true;
      continue;
    }
    break;
  }
  result.text = std::move(s);
  return result;
}

std::string subject_sort_key(std::string_view subject) {
  std::string key = base_subject(subject).text;
  for (char& c : key)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return key;
}

}  // namespace dirmail::imap
