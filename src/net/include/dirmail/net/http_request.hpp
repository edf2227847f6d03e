#pragma once
// The head of an HTTP/1.x request (RFC 9112): what the metrics endpoint needs to
// answer a scraper, read with hard limits. Only the request line and the header
// fields' syntax are checked; the endpoint serves GET and HEAD without a body.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace dirmail::net {

inline constexpr std::size_t kMaxHttpHeadBytes = 8192;
inline constexpr std::size_t kMaxHttpHeaderFields = 64;

struct HttpRequest {
  std::string method;   // as sent (methods are case-sensitive)
  std::string target;   // origin-form: "/metrics", perhaps with "?query"
  std::string version;  // "HTTP/1.0" or "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> fields;  // names lower-cased, values trimmed

  // The path of the target, without its query.
  std::string_view path() const;
};

// The reply status a refused head deserves (the error's message says why).
enum class HttpRefusal { bad_request = 400, too_large = 431, version_not_supported = 505 };

struct HttpHeadError {
  HttpRefusal status;
  std::string reason;
};

// `head`: the request line and the header field lines, each ending in LF (a CR before
// it allowed), without the empty line that ends the head.
std::variant<HttpRequest, HttpHeadError> parse_http_request_head(std::string_view head);

}  // namespace dirmail::net
