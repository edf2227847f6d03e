#include "dirmail/net/http_request.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail::net {
namespace {

// RFC 9110 §5.6.2 tchar.
bool is_token_char(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

// Visible ASCII, space and tab, and obs-text (RFC 9110 §5.5); never CR, LF or NUL.
bool is_field_value(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u != '\t' && (u < 0x20 || u == 0x7F)) return false;
  }
  return true;
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HttpHeadError bad(std::string reason) { return {HttpRefusal::bad_request, std::move(reason)}; }

}  // namespace

std::string_view HttpRequest::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::variant<HttpRequest, HttpHeadError> parse_http_request_head(std::string_view head) {
  if (head.size() > kMaxHttpHeadBytes) return HttpHeadError{HttpRefusal::too_large, "request head too large"};
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    auto lf = head.find('\n');
    if (lf == std::string_view::npos) return bad("request head does not end in a line feed");
    std::string_view line = head.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    head.remove_prefix(lf + 1);
  }
  if (lines.empty()) return bad("empty request");
  if (lines.size() - 1 > kMaxHttpHeaderFields) return HttpHeadError{HttpRefusal::too_large, "too many header fields"};

  // request-line = method SP request-target SP HTTP-version
  std::string_view request_line = lines.front();
  auto sp1 = request_line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos)
    return bad("malformed request line");
  HttpRequest request;
  std::string_view method = request_line.substr(0, sp1);
  std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = request_line.substr(sp2 + 1);
  if (!is_token(method)) return bad("malformed method");
  if (target.empty() || target.front() != '/') return bad("the request target must be a path");
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return bad("malformed request target");
  }
  if (version.size() != 8 || !version.starts_with("HTTP/") || version[6] != '.' || version[5] < '0' ||
      version[5] > '9' || version[7] < '0' || version[7] > '9')
    return bad("malformed HTTP version");
  if (version != "HTTP/1.0" && version != "HTTP/1.1")
    return HttpHeadError{HttpRefusal::version_not_supported, "only HTTP/1.0 and HTTP/1.1 are served"};
  request.method = std::string(method);
  request.target = std::string(target);
  request.version = std::string(version);

  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      return bad("obsolete line folding in the header");  // RFC 9112 §5.2: reject or unfold
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return bad("header field without a colon");
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim_blanks(line.substr(colon + 1));
    if (!is_token(name)) return bad("malformed header field name");
    if (!is_field_value(value)) return bad("malformed header field value");
    request.fields.emplace_back(to_lower(name), std::string(value));
  }
  return request;
}

}  // namespace dirmail::net
