// Fuzzes the metrics endpoint's request head parser: limits hold, and what it accepts
// is a well-formed request (a token method, a path target, HTTP/1.0 or 1.1, fields
// with token names and values without control characters).
#include <string>

#include "dirmail/net/http_request.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  std::string_view head = fuzz::as_view(data, size);
  auto parsed = net::parse_http_request_head(head);
  if (auto* refused = std::get_if<net::HttpHeadError>(&parsed)) {
    FUZZ_CHECK(!refused->reason.empty());
    if (head.size() > net::kMaxHttpHeadBytes) FUZZ_CHECK(refused->status == net::HttpRefusal::too_large);
    return 0;
  }
  const auto& request = std::get<net::HttpRequest>(parsed);
  FUZZ_CHECK(head.size() <= net::kMaxHttpHeadBytes);
  FUZZ_CHECK(!request.method.empty() && request.method.find(' ') == std::string::npos);
  FUZZ_CHECK(!request.target.empty() && request.target.front() == '/');
  FUZZ_CHECK(request.version == "HTTP/1.0" || request.version == "HTTP/1.1");
  FUZZ_CHECK(request.fields.size() <= net::kMaxHttpHeaderFields);
  FUZZ_CHECK(request.path().size() <= request.target.size());
  for (const auto& [name, value] : request.fields) {
    FUZZ_CHECK(!name.empty());
    for (char c : name) FUZZ_CHECK(!(c >= 'A' && c <= 'Z') && c != ':' && c != ' ');
    for (char c : value) FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0');
  }
  return 0;
}
