#include "dirmail/imap/content_fields.hpp"

#include "dirmail/base/header_fields.hpp"

namespace dirmail::imap {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return out;
}

bool token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 32 || u >= 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// A cursor over one structured field value (RFC 2045 §5.1 grammar).
class FieldCursor {
 public:
  explicit FieldCursor(std::string_view v) : v_(v) {}

  void skip_space() {
    while (i_ < v_.size()) {
      if (v_[i_] == ' ' || v_[i_] == '\t' || v_[i_] == '\r' || v_[i_] == '\n') {
        ++i_;
      } else if (v_[i_] == '(') {  // a comment; nested ones end at the first ')'
        while (i_ < v_.size() && v_[i_] != ')') ++i_;
        if (i_ < v_.size()) ++i_;
      } else {
        break;
      }
    }
  }
  std::string_view token() {
    std::size_t start = i_;
    while (i_ < v_.size() && token_char(v_[i_])) ++i_;
    return v_.substr(start, i_ - start);
  }
  bool take(char c) {
    skip_space();
    if (i_ >= v_.size() || v_[i_] != c) return false;
    ++i_;
    return true;
  }
  // `;name=value` pairs until the end or the first malformed one.
  ContentParams params() {
    ContentParams out;
    while (take(';')) {
      skip_space();
      auto name = token();
      if (name.empty() || !take('=')) break;
      skip_space();
      std::string value;
      if (i_ < v_.size() && v_[i_] == '"') {
        for (++i_; i_ < v_.size() && v_[i_] != '"'; ++i_) {
          if (v_[i_] == '\\' && i_ + 1 < v_.size()) ++i_;
          value.push_back(v_[i_]);
        }
        if (i_ < v_.size()) ++i_;
      } else {
        value = std::string(token());
      }
      if (out.size() < max_content_params) out.emplace_back(upper(name), std::move(value));
    }
    return out;
  }

 private:
  std::string_view v_;
  std::size_t i_ = 0;
};

std::optional<std::string> trimmed_field(std::string_view header, std::string_view name) {
  auto v = first_field_value(header, name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string_view ContentType::param(std::string_view name) const {
  for (const auto& [n, v] : params)
    if (n == name) return v;
  return {};
}

std::optional<ContentType> parse_content_type(std::string_view value) {
  FieldCursor c(value);
  c.skip_space();
  auto type = c.token();
  if (type.empty() || !c.take('/')) return std::nullopt;
  c.skip_space();
  auto subtype = c.token();
  if (subtype.empty()) return std::nullopt;
  return ContentType{upper(type), upper(subtype), c.params()};
}

std::optional<ContentDisposition> parse_content_disposition(std::string_view value) {
  FieldCursor c(value);
  c.skip_space();
  auto type = c.token();
  if (type.empty()) return std::nullopt;
  return ContentDisposition{upper(type), c.params()};
}

ContentFields content_fields(std::string_view header, bool digest_child) {
  ContentFields f;
  if (auto v = first_field_value(header, "Content-Type")) {
    if (auto parsed = parse_content_type(*v)) f.type = std::move(*parsed);
  }
  if (f.type.type.empty()) f.type = digest_child ? ContentType{"MESSAGE", "RFC822", {}} : ContentType{"TEXT", "PLAIN", {}};
  if (f.type.type == "TEXT" && f.type.params.empty()) f.type.params.emplace_back("CHARSET", "US-ASCII");
  f.id = trimmed_field(header, "Content-ID");
  f.description = trimmed_field(header, "Content-Description");
  f.md5 = trimmed_field(header, "Content-MD5");
  f.location = trimmed_field(header, "Content-Location");
  auto encoding = trimmed_field(header, "Content-Transfer-Encoding");
  f.encoding = encoding ? upper(*encoding) : std::string("7BIT");
  if (auto v = first_field_value(header, "Content-Disposition")) f.disposition = parse_content_disposition(*v);
  if (auto v = first_field_value(header, "Content-Language")) {
    FieldCursor c(*v);
    for (;;) {
      c.skip_space();
      auto tag = c.token();
      if (tag.empty()) break;
      if (f.languages.size() < max_content_params) f.languages.emplace_back(tag);
      if (!c.take(',')) break;
    }
  }
  return f;
}

}  // namespace dirmail::imap
