#include "dirmail/base/encoded_words.hpp"

#include <algorithm>
#include <optional>

#include "dirmail/base/base64.hpp"
#include "dirmail/base/charset_conversion.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail {
namespace {

struct EncodedWord {
  std::size_t end = 0;  // one past the closing "?="
  std::string charset;  // without an RFC 2231 "*language"
  std::string bytes;    // decoded, still in `charset`
};

std::optional<std::string> decode_q(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_') {
      out.push_back(' ');
    } else if (text[i] == '=') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::optional<std::string> decode_b(std::string_view text) {
  std::string padded(text);
  while (padded.size() % 4 != 0) padded.push_back('=');  // some mailers leave the padding out
  auto decoded = base64_decode(padded);
  if (!decoded) return std::nullopt;
  return std::move(*decoded);
}

// The encoded word at `start` ("=?"), if it is one.
std::optional<EncodedWord> encoded_word_at(std::string_view v, std::size_t start) {
  auto limit = std::min(v.size(), start + max_encoded_word);
  auto q1 = v.find('?', start + 2);
  if (q1 == std::string_view::npos || q1 + 3 >= limit || v[q1 + 2] != '?') return std::nullopt;
  auto close = v.find("?=", q1 + 3);
  if (close == std::string_view::npos || close + 2 > limit) return std::nullopt;
  std::string_view charset = v.substr(start + 2, q1 - start - 2);
  std::string_view text = v.substr(q1 + 3, close - q1 - 3);
  char encoding = v[q1 + 1];
  if (charset.empty() || charset.find_first_of(" \t\r\n") != std::string_view::npos ||
      text.find_first_of(" \t\r\n?") != std::string_view::npos) {
    return std::nullopt;
  }
  charset = charset.substr(0, charset.find('*'));
  std::optional<std::string> bytes;
  if (encoding == 'B' || encoding == 'b') bytes = decode_b(text);
  else if (encoding == 'Q' || encoding == 'q') bytes = decode_q(text);
  if (!bytes) return std::nullopt;
  return EncodedWord{close + 2, std::string(charset), std::move(*bytes)};
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string decode_encoded_words(std::string_view v) {
  std::string out;
  std::string run_charset;  // the words being joined: their charset and decoded bytes
  std::string run_bytes;
  bool in_run = false;
  auto flush_run = [&] {
    if (in_run) out += convert_to_utf8(run_bytes, run_charset).value_or("");
    in_run = false;
    run_bytes.clear();
  };
  std::size_t plain_start = 0;  // text since the last encoded word
  for (std::size_t i = 0; i < v.size();) {
    std::optional<EncodedWord> word;
    if (v[i] == '=' && i + 1 < v.size() && v[i + 1] == '?') word = encoded_word_at(v, i);
    if (!word || !convert_to_utf8("", word->charset)) {
      ++i;
      continue;
    }
    std::string_view between = v.substr(plain_start, i - plain_start);
    bool adjacent = in_run && std::all_of(between.begin(), between.end(), is_space);
    if (!adjacent || !iequals(run_charset, word->charset)) {
      flush_run();
      if (!adjacent) out += *convert_to_utf8(between, "UTF-8");  // white space between words goes
      run_charset = word->charset;
      in_run = true;
    }
    run_bytes += word->bytes;
    i = plain_start = word->end;
  }
  flush_run();
  out += *convert_to_utf8(v.substr(plain_start), "UTF-8");
  return out;
}

}  // namespace dirmail
